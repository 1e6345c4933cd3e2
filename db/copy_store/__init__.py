"""`python -m bot copy-store`: move a community's store between SQLite and PostgreSQL.

Either way, or SQLite to SQLite; all or nothing, and verified before it is committed.

`copier` runs the copy, `preflight` the refusals before it, `sides` is one class per
dialect, `checksum` the row checksum both sides compute alike. docs/postgresql.md,
"Moving a community", is the operator's guide.
"""

from db.copy_store.copier import DERIVED, FULL_TEXT, CopyReport, TableResult, copy_store
from db.copy_store.preflight import CopyStoreError

__all__ = ["DERIVED", "FULL_TEXT", "CopyReport", "CopyStoreError", "TableResult", "copy_store"]
