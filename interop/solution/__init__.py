"""Stage 4, the solution: decisions read off a run, recomputed independently, reported and written."""
