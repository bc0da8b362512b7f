"""Stage 5, analyses on many solves: sweeps, frontiers, infeasibility diagnosis, resumable runs."""
