"""Stage 3, the solver: HiGHS option profiles and one guarded HiGHS run."""
