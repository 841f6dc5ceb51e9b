"""Stage 3 of the pipeline: the Pyomo model -> HiGHS -> a solution and its tables.

Owns the hand-off of the compiled program to HiGHS and the MIP solve (:mod:`.highs`), the
LP-guided start (:mod:`.heuristics`), the rounding and polish re-solves (:mod:`.polish`),
marginal prices and binding limits from LP re-solves (:mod:`.marginal`), the diagnosis of an
infeasible program (:mod:`.diagnose`) and the extraction of the results tables
(:mod:`.solution`).

May import: :mod:`planner.io` and :mod:`planner.model` (the stages before it).
"""
