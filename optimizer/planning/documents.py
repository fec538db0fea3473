"""The documents checklist of a routed batch, from the rules in data (rule -> documents).

Conditions (``rules.yaml`` -> ``documents[].when``): ``always``; ``mode`` (some leg travels by
that mode); ``bonded_transit`` (the goods enter China at one node and are cleared at another);
``cross_district`` (the return clears outside the export district); ``tax_relief`` (some parcel
is declared within its duty/VAT relief, which the paperwork must then support).
"""

from __future__ import annotations

from optimizer.domain import Rules
from optimizer.plan import Document
from optimizer.planning.costs import relief_deadline
from optimizer.planning.options import Option


def facts(option: Option, rules: Rules) -> dict[str, object]:
    """The facts the conditions test, for one batch on one route."""
    route, batch = option.route, option.batch
    relieved = False
    for p in batch.parcels:
        deadline = relief_deadline(p, rules)
        if deadline is not None and option.declare_date <= deadline:
            relieved = True
            break
    return {"modes": {lane.mode for lane in route.lanes},
            "bonded_transit": route.entry.id != route.port.id,
            "cross_district": route.port.district != batch.export_district,
            "tax_relief": relieved}


def checklist(option: Option, rules: Rules) -> tuple[Document, ...]:
    """Every document the batch needs on this route, and why."""
    f = facts(option, rules)
    route = option.route
    out = []
    for doc in rules.documents:
        reasons = []
        ok = True
        for key, value in doc.when:
            if key == "mode":
                ok &= value in f["modes"]  # type: ignore[operator]
                reasons.append(f"a {value} leg")
            else:
                ok &= bool(f[key]) == bool(value)
                reasons.append({"bonded_transit": f"enters at {route.entry.id}, clears at "
                                                  f"{route.port.id}",
                                "cross_district": f"clears in {route.port.district}, exported "
                                                  f"from {option.batch.export_district}",
                                "tax_relief": "declared within the 6-month relief"}[key]
                               if value else f"not {key}")
        if ok:
            out.append(Document(doc.id, doc.name, "; ".join(reasons) or "every return"))
    return tuple(out)
