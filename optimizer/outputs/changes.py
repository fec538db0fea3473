"""changes.csv: what a re-plan (``solve --previous``) did to each batch of the previous plan."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.outputs.tables import csv_text
from optimizer.plan import Change

CHANGE_COLUMNS = ("batch_id", "status", "parcels", "before", "after", "why")


def changes_csv(changes: Sequence[Change]) -> str:
    """One row per batch of the previous plan (kept, same, changed, disposed, unrouted, gone),
    then one per new batch."""
    return csv_text(({"batch_id": c.batch_id, "status": c.status, "parcels": c.parcels,
                      "before": c.before, "after": c.after, "why": c.why} for c in changes),
                    CHANGE_COLUMNS)
