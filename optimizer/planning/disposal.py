"""Return or dispose: what it costs to dispose of a batch abroad instead of returning it.

Disposing of (or liquidating) a batch abroad costs the disposal fee for its kg plus the value it
loses against a return: a returned parcel recovers ``return_recovery_pct`` of its declared
value for the seller, a liquidated one ``liquidation_recovery_pct`` (data/rules.yaml
``disposal``, assumptions). The solver weighs that against the cost of returning the batch: it
is the cost of the batch's "not returned" choice (``mip``'s ``u[b]``) wherever disposal is
allowed; elsewhere leaving a batch behind costs the unrouted penalty. A batch no rule lets come
back is disposed of when it may be, and stays unrouted (with its reasons) when not.
"""

from __future__ import annotations

from optimizer.domain import Batch, DisposalRule


def disposal_cost(batch: Batch, rule: DisposalRule) -> float | None:
    """What disposing of ``batch`` abroad costs (fee plus value lost against a return), or
    None when the rule does not allow it for this batch."""
    if (not rule.allowed or batch.goods_class in rule.forbid_goods_classes
            or batch.destination in rule.forbid_sellers):
        return None
    return (rule.fee_cny_per_kg * batch.weight_kg
            + (rule.return_recovery_pct - rule.liquidation_recovery_pct) / 100
            * batch.value_cny)


def disposal_why(batch: Batch, rule: DisposalRule, cost: float,
                 return_cny: float | None) -> str:
    """Why the batch is disposed of: its disposal cost against what returning it would cost."""
    parts = (f"disposal {cost:,.0f} CNY = {rule.fee_cny_per_kg:g} CNY/kg x "
             f"{batch.weight_kg:,.2f} kg + ({rule.return_recovery_pct:g}% - "
             f"{rule.liquidation_recovery_pct:g}%) of value {batch.value_cny:,.0f} CNY")
    if return_cny is None:
        return parts + "; no compliant return route"
    return parts + (f"; returning it alone would cost {return_cny:,.0f} CNY (its cheapest "
                    "compliant route, own vehicles and declaration)")
