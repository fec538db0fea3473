"""The documents checklist of a routed batch, from the rules in data (rule -> documents).

Conditions (``rules.yaml`` -> ``documents[].when``): ``always``; ``mode`` (some leg travels by
that mode); ``bonded_transit`` (the goods enter China at one node and are cleared at another);
``cross_district`` (the return clears outside the export district); ``tax_relief`` (some parcel
is declared within its 6-month CBEC duty/VAT relief, which the paperwork must then support);
``quality_return`` (some parcel comes back tax-free as a quality or specification return);
``procedure`` (``cbec`` or ``general``: the return's customs procedure); ``tir_inland`` (a TIR
leg ends at an inland office rather than at the border, so the TIR import is declared inland).
"""

from __future__ import annotations

from optimizer.domain import Rules
from optimizer.plan import Document
from optimizer.planning.costs import cbec_relief_deadline, quality_deadline
from optimizer.planning.options import Option


def facts(option: Option, rules: Rules) -> dict[str, object]:
    """The facts the conditions test, for one batch on one route."""
    route, batch = option.route, option.batch
    day = option.declare_date

    def within(deadline: object) -> bool:
        return deadline is not None and day <= deadline  # type: ignore[operator]

    return {"modes": {lane.mode for lane in route.lanes},
            "bonded_transit": route.entry.id != route.port.id,
            "cross_district": route.port.district != batch.export_district,
            "tax_relief": any(within(cbec_relief_deadline(p, rules)) for p in batch.parcels),
            "quality_return": any(within(quality_deadline(p, rules)) for p in batch.parcels),
            "procedure": rules.procedure(batch.trade_mode),
            "tir_inland": any(lane.mode == "tir_road" and lane.destination == route.port.id
                              and route.port.kind != "border_crossing"
                              for lane in route.lanes)}


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
            elif key == "procedure":
                ok &= f["procedure"] == value
                reasons.append(f"{value} return procedure")
            else:
                ok &= bool(f[key]) == bool(value)
                reasons.append({"bonded_transit": f"enters at {route.entry.id}, clears at "
                                                  f"{route.port.id}",
                                "cross_district": f"clears in {route.port.district}, exported "
                                                  f"from {option.batch.export_district}",
                                "tax_relief": "declared within the 6-month relief",
                                "quality_return": "a quality/specification return within a "
                                                  "year of export",
                                "tir_inland": f"the TIR transport ends inland at "
                                              f"{route.port.id}"}[key]
                               if value else f"not {key}")
        if ok:
            out.append(Document(doc.id, doc.name, "; ".join(reasons) or "every return"))
    return tuple(out)
