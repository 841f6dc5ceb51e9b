"""Stage 4 of the pipeline: a solution's tables -> what a person reads and what finance imports.

Owns the five-layer stack walk (:mod:`.stack`), report.md / report.html (:mod:`.report`),
the plots (:mod:`.plots`), exports to csv / xlsx / json (:mod:`.export`), the comparison
of results folders (:mod:`.compare`) and the invariant checks that re-derive the program's
constraints from written tables (:mod:`.checks`).

May import: :mod:`planner.io`, :mod:`planner.model` and :mod:`planner.solver` (the stages
before it).
"""
