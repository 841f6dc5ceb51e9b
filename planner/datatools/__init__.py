"""Data-preparation helpers (latency, renewable profiles, demand forecast) that build the bundled scenarios; standalone, importing nothing else from planner."""
