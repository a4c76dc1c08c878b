"""The reading state shared between machines through a folder a sync tool carries.

Each machine appends its mark changes to its own log in the folder and merges everyone
else's: see `reader.core.sync.folder` (the API: `SyncFolder.open(store, folder)`, then
`pull()` on every watch event or timer tick, `close()` at the end).
"""

from __future__ import annotations

from reader.core.sync.clock import Stamp
from reader.core.sync.folder import FIELDS, SyncFolder, SyncUnavailable
from reader.core.sync.logfile import MarkChange

__all__ = ["FIELDS", "MarkChange", "Stamp", "SyncFolder", "SyncUnavailable"]
