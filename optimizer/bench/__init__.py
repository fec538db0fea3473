"""Public benchmarks solved with the engine's backend (the Canad CMND instances)."""
