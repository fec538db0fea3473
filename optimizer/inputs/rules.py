"""``rules.yaml``: the compliance rules in force, their parameters, tax and documents."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.domain import (
    RETURN_REASONS,
    DeclarationRule,
    DisposalRule,
    DocumentRule,
    ExpressRule,
    ExpressZone,
    GoodsClass,
    RegimeRule,
    ReliefPeriod,
    Rules,
    WaitingRule,
)
from optimizer.inputs.files import Collector, read_yaml, refuse
from optimizer.inputs.overrides import deep_merge
from optimizer.inputs.schema import RulesIn


def load_rules(path: Path, override: Mapping[str, Any] | None = None,
               override_file: str = "") -> Rules:
    """Read ``rules.yaml`` and apply a scenario's ``rules:`` overrides on top of it."""
    raw = read_yaml(path)
    if not isinstance(raw, Mapping):
        raise refuse(path, "", "", "expected a mapping of rule parameters")
    if override:
        raw = deep_merge(raw, override)
    col = Collector(f"{path}" + (f" (with overrides from {override_file})" if override else ""))
    doc = col.validate(RulesIn, raw)
    starts = [r.start for r in doc.regimes]
    if starts != sorted(starts):
        col.add("regimes", "from", "regimes must be listed in date order")
    for i, p in enumerate(doc.tax.relief_periods):
        if p.end < p.start:
            col.add(f"tax.relief_periods[{i}]", "to", "ends before it starts")
    both = sorted(set(doc.eligible_trade_modes) & set(doc.general_return_trade_modes))
    if both:
        col.add("general_return_trade_modes", "", f"{both} also in eligible_trade_modes: a "
                "return goes under one procedure")
    odd = sorted(set(doc.tax.quality_return_reasons) - set(RETURN_REASONS))
    if odd:
        col.add("tax", "quality_return_reasons", f"unknown return reason(s) {odd}; known: "
                f"{', '.join(RETURN_REASONS)}")
    unknown = sorted(set(doc.disposal.forbid_goods_classes) - set(doc.goods_classes))
    if unknown:
        col.add("disposal", "forbid_goods_classes", f"unknown goods class(es) {unknown}; "
                f"known: {sorted(doc.goods_classes)}")
    col.raise_if_any()
    return Rules(
        enabled=tuple(doc.enabled),
        eligible_trade_modes=frozenset(doc.eligible_trade_modes),
        return_window_days=doc.return_window_days,
        regimes=tuple(RegimeRule(
            id=r.id, start=r.start, cross_district_trade_modes=frozenset(
                r.cross_district_trade_modes),
            return_district_must_be_pilot=r.return_district_must_be_pilot,
            export_district_must_be_pilot=r.export_district_must_be_pilot, source=r.source)
            for r in doc.regimes),
        goods_classes={k: GoodsClass(k, frozenset(v.forbidden_modes), v.tax_relief, v.duty_rate,
                                     v.source, frozenset(v.air_needs))
                       for k, v in sorted(doc.goods_classes.items())},
        domestic_modes=frozenset(doc.domestic_modes),
        vat_rate=doc.tax.vat_rate,
        relief_months=doc.tax.relief_months,
        relief_periods=tuple(ReliefPeriod(p.start, p.end, p.verified, p.source)
                             for p in doc.tax.relief_periods),
        documents=tuple(DocumentRule(d.id, d.name,
                                     tuple(sorted(d.when.model_dump(exclude_none=True).items())),
                                     d.source)
                        for d in doc.documents),
        declaration=DeclarationRule(tuple(doc.declaration.group_by), doc.declaration.fee_cny,
                                    doc.declaration.per_parcel_fee_cny,
                                    doc.declaration.source),
        disposal=DisposalRule(
            doc.disposal.allowed, doc.disposal.fee_cny_per_kg,
            doc.disposal.liquidation_recovery_pct, doc.disposal.return_recovery_pct,
            frozenset(doc.disposal.forbid_goods_classes), frozenset(doc.disposal.forbid_sellers),
            doc.disposal.source),
        lateness_cny_per_parcel_day=doc.lateness_cny_per_parcel_day,
        waiting=WaitingRule(doc.waiting.max_days, doc.waiting.max_departures,
                            doc.waiting.storage_cny_per_kg_day, doc.waiting.source),
        express=ExpressRule(
            doc.domestic_express.enabled, doc.domestic_express.road_factor,
            doc.domestic_express.co2e_g_per_tkm,
            tuple(ExpressZone(z.up_to_km, z.first_kg_cny, z.extra_kg_cny, z.days)
                  for z in doc.domestic_express.zones), doc.domestic_express.source),
        general_return_trade_modes=frozenset(doc.general_return_trade_modes),
        same_route_scope=doc.same_route_scope,
        bonded_transit=doc.bonded_transit,
        tir_cbec_from=doc.tir_cbec.start,
        tir_cbec_offices=frozenset(doc.tir_cbec.approved_offices),
        tir_cbec_approved_from=tuple(sorted(doc.tir_cbec.approved_from.items())),
        tir_cbec_source=doc.tir_cbec.source,
        relief_trade_modes=frozenset(doc.eligible_trade_modes if doc.tax.relief_trade_modes
                                     is None else doc.tax.relief_trade_modes),
        relief_from_area_exit=frozenset(doc.tax.relief_from_area_exit),
        quality_return_reasons=frozenset(doc.tax.quality_return_reasons),
        quality_return_months=doc.tax.quality_return_months,
    )
