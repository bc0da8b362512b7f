"""Stage 1, the instance: schema, cross-entity checks, safe loading, scenarios, generators."""
