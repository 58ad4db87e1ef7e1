"""Batch audit of contract archives: walk, check in isolated workers, store in SQLite, report.

The modules each do one job: `walk` finds files, `plan` decides what needs checking, `settings`
hashes everything that changes results, `store` is the SQLite results store, `child`/`worker` run
documents in a separate process, `local` and `dask_engine` schedule them, `outputs` renders the
store, `progress` draws the bar and `run` ties them together. Nothing here imports spaCy or the
document parsers in the parent process: only worker processes do.
"""

DEFAULT_DB = "contractcheck-audit.sqlite"
DEFAULT_TIMEOUT = 300.0  # seconds per document
