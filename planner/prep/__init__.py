"""Data preparation: the tools that build the bundled scenarios' inputs (latency, renewable
profiles and time slices, the demand forecast, roofline throughput estimates), each run as
``python -m planner.prep.<tool>``.

May import: :mod:`planner.io` only (they write the files the first stage reads).
"""
