"""Stage 2, the model: the formulation's groups, admissible sets, and its two builds (Pyomo, matrices)."""
