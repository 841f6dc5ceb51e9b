"""Stage 1 of the pipeline: files -> validated tables, and the results folder on disk.

Owns the input schema (:mod:`.schema`), the CSV/TOML readers (:mod:`.readers`), the
cross-file checks (:mod:`.validate`), the loaded :class:`~planner.io.scenario.Scenario`
(:mod:`.scenario`), the typed errors every stage raises (:mod:`.errors`) and the results
folder's files, columns and atomic writers (:mod:`.results`).

May import: nothing else from ``planner`` (it is the first stage).
"""
