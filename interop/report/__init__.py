"""Stage 6, the report: figures of frontiers, sweeps and command networks."""
