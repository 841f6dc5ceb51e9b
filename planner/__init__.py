"""planner — capacity-expansion planning of AI factories (sites, power, chips, cooling)."""

__version__ = "0.1.0"
