"""A run's results folder.

- ``staging``: the one owner of writing into a results folder (a hidden folder moved
  into place when complete; a folder govsim did not write is never replaced);
- ``write``: the tables, the scenario as written and resolved, metadata, the event log,
  then the report (one call into ``govsim.report``);
- ``read``: the folder read back and checked, which is all the report is built from.

The report imports ``read`` and ``staging`` only, never the writer: no import cycle.
"""
from .read import SavedResults, read_results
from .staging import check_output_folder
from .write import EVENTS, write_results

__all__ = ["SavedResults", "read_results", "check_output_folder", "write_results", "EVENTS"]
