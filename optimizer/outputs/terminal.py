"""The terminal: a plan's summary and a batch's explanation, as rich tables.

Ids, names and details come from the inputs, and a terminal obeys what it is sent: an escape
sequence in a parcel or lane id could clear the screen, retitle the window or rewrite earlier
lines, a bidi override reorder what is shown, and rich would take ``[bold]`` in an id as
markup. So every string printed here is built by ``text`` (or ``line``): the one sanitiser
``clean`` shows control and bidi characters as visible escapes, and the result is a rich
``Text``, which rich never parses for markup or emoji codes. Styling is applied by this module
only, to its own words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.highlighter import ReprHighlighter
from rich.table import Table
from rich.text import Text

from optimizer.outputs.tariffs import bill_of, service_of
from optimizer.outputs.waiting import waiting_line
from optimizer.plan import BatchPlan, ExplainedOption, Explanation, Leg, Plan, VehicleUse

if TYPE_CHECKING:
    import pandas as pd


#: the terminal lists every batch up to this many; beyond, the heaviest and a summary by route
MAX_SUMMARY_ROWS = 60


#: how many batches, heaviest first, the terminal shows of a plan over ``MAX_SUMMARY_ROWS``
HEAVIEST_ROWS = 40

BATCH_COLUMNS = (("batch", "left"), ("kg", "right"), ("return port", "left"),
                 ("district", "left"), ("entry", "left"), ("mode", "left"), ("legs", "left"),
                 ("departs", "left"), ("cost CNY", "right"), ("all-air CNY", "right"),
                 ("saving", "right"), ("days", "right"))


#: characters a terminal would act on rather than show: C0 and C1 controls (ESC, CSI, BEL, CR,
#: newline ...), DEL, the bidi embeddings, overrides, isolates and marks, the line and paragraph
#: separators
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069]")

#: the highlighting rich gives plain printed lines (numbers, quotes ...): styles only
_HIGHLIGHT = ReprHighlighter()


def _visible(match: re.Match[str]) -> str:
    """The escape shown for one unsafe character: ``\\x1b`` or ``\\u202e``."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: object) -> str:
    """``value`` as text with every control or bidi character shown as an escape (``\\x1b``).

    The one sanitiser of this module: everything printed passes through it (via ``text``).
    """
    return _UNSAFE.sub(_visible, str(value))


def text(*lines: object, style: str = "") -> Text:
    """A rich ``Text`` of ``lines`` (each cleaned), one a line; never read as markup."""
    return Text("\n".join(clean(v) for v in lines), style=style)


def _title(value: object) -> Text:
    """A table title: cleaned, in the style rich gives titles it is handed as strings."""
    return text(value, style="table.title")


def line(*parts: object | tuple[object, str], highlight: bool = False) -> Text:
    """One printed line from parts, each cleaned: a value, or (value, style) for our own words.

    ``highlight`` colours numbers and the like as rich does for plain strings (styles only);
    our own styles are laid over it, as rich lays markup over its highlighting.
    """
    out = Text()
    styled = []
    for part in parts:
        value, style = part if isinstance(part, tuple) else (part, "")
        start = len(out)
        out.append(clean(value))
        if style:
            styled.append((style, start, len(out)))
    if highlight:
        out = _HIGHLIGHT(out)
    for style, start, end in styled:
        out.stylize(style, start, end)
    return out


def _shown_batches(plan: Plan) -> tuple[BatchPlan, ...]:
    """Every batch, or beyond ``MAX_SUMMARY_ROWS`` the heaviest 40 (ties by batch id)."""
    if len(plan.batches) > MAX_SUMMARY_ROWS:
        return tuple(sorted(plan.batches,
                            key=lambda bp: (-bp.weight_kg, bp.batch_id))[:HEAVIEST_ROWS])
    return plan.batches


def _batch_row(bp: BatchPlan) -> tuple[Text, ...]:
    """The cells of one batch: its route, its legs (one a line, with cost), the day it leaves
    its hub (with the days it waits by choice for that departure) and its figures.

    The saving vs all-air is "—" when the batch has no all-air price (or it is zero).
    """
    saving = (f"{(bp.air_cost_cny - bp.cost_cny) / bp.air_cost_cny:.0%}"
              if bp.air_cost_cny else "—")
    return (text(bp.batch_id), text(f"{bp.weight_kg:,.1f}"), text(bp.return_port),
            text(bp.return_district), text(bp.entry_point), text(bp.mode),
            text(*(f"{clean(leg.lane_id)} ({leg.cost_cny:,.0f})" for leg in bp.legs)),
            text(bp.depart_date.isoformat()
                 + (f" (waits {bp.wait_days} d)" if bp.wait_days > 0 else "")),
            text(f"{bp.cost_cny:,.0f}"),
            text(f"{bp.air_cost_cny:,.0f}" if bp.air_cost_cny is not None else "—"),
            text(saving), text(bp.transit_days))


def _batch_table(plan: Plan, shown: tuple[BatchPlan, ...]) -> Table:
    """The main table: one row per shown batch, titled with the scenario, date and regime."""
    table = Table(title=_title(f"returnroute — {plan.scenario} (as of {plan.meta.as_of}, "
                             f"{plan.meta.regime} regime)"), show_lines=False)
    for col, justify in BATCH_COLUMNS:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for bp in shown:
        table.add_row(*_batch_row(bp))
    return table


def _route_table(batches: tuple[BatchPlan, ...]) -> Table:
    """Every batch grouped by (return port, district, mode), the costliest group first.

    Shown when the main table lists only the heaviest batches, so no route goes unseen.
    """
    groups: dict[tuple[str, str, str], list[BatchPlan]] = {}
    for bp in batches:
        groups.setdefault((bp.return_port, bp.return_district, bp.mode), []).append(bp)
    by_route = Table(title=_title("batches by return port and mode"))
    for col in ("return port", "district", "mode", "batches", "kg", "cost CNY", "mean days"):
        by_route.add_column(col, justify="left" if col in ("return port", "district",
                                                            "mode") else "right")
    for (port, district, mode), bps in sorted(groups.items(),
                                              key=lambda kv: -sum(b.cost_cny for b in kv[1])):
        by_route.add_row(text(port), text(district), text(mode), text(len(bps)),
                         text(f"{sum(b.weight_kg for b in bps):,.0f}"),
                         text(f"{sum(b.cost_cny for b in bps):,.0f}"),
                         text(f"{sum(b.transit_days for b in bps) / len(bps):.1f}"))
    return by_route


#: the terminal lists at most this many departures on rate cards, the costliest bills
TARIFF_ROWS = 20

TARIFF_HEAD = ("lane", "departs", "service", "chargeable", "billed", "band / minimum",
               "bill", "FX", "CNY", "batches")


def tariff_cells(v: VehicleUse) -> tuple[str, ...]:
    """A departure on a rate card, short: lane, date, service, chargeable and billed units,
    the band or minimum applied, the bill in its currency, the FX rate (with its date), CNY."""
    bill = bill_of(v)
    head = (v.lane_id, v.period, service_of(v))
    if bill is None:
        return (*head, "—", "—", "—", "—", "—", "—", str(len(v.batch_ids)))
    return (*head, bill.qty(bill.units), bill.qty(bill.billed_units), bill.applied(),
            f"{bill.total:,.2f} {bill.currency}", bill.fx(), f"{bill.total_cny:,.0f}",
            str(len(v.batch_ids)))


def _bill_cny(v: VehicleUse) -> float:
    """The CNY of a departure's bill on a rate card (0 without one)."""
    bill = bill_of(v)
    return 0.0 if bill is None else bill.total_cny


def _print_tariffs(plan: Plan, console: Console) -> None:
    """The departures billed on a rate card (none: nothing printed), one short row each, in
    date order; beyond ``TARIFF_ROWS`` the costliest (all are in vehicles.csv)."""
    priced = [v for v in plan.vehicle_uses if v.priced is not None]
    if not priced:
        return
    shown = sorted(priced, key=lambda v: (-_bill_cny(v), v.lane_id, v.period))[:TARIFF_ROWS]
    shown = sorted(shown, key=lambda v: (v.period, v.lane_id))
    table = Table(title=_title("departures billed on rate cards (each line and bill in full: "
                               "vehicles.csv, report.html)"))
    for col in TARIFF_HEAD:
        table.add_column(col, justify="right" if col in ("CNY", "batches") else "left")
    for v in shown:
        table.add_row(*(text(c) for c in tariff_cells(v)))
    console.print(table)
    if len(shown) < len(priced):
        console.print(line(f"... the {len(shown)} costliest of {len(priced)} departures on rate "
                           "cards; all are in vehicles.csv", highlight=True))


def _print_unrouted(plan: Plan, console: Console) -> None:
    """Each unrouted batch with its reasons and what would route it; beyond
    ``MAX_SUMMARY_ROWS`` only a count by first reason (plan.json has them all)."""
    unrouted = plan.unrouted
    if len(unrouted) > MAX_SUMMARY_ROWS:
        rules: dict[str, int] = {}
        for u in unrouted:
            for c in u.reasons[:1]:
                rules[c.rule] = rules.get(c.rule, 0) + 1
        console.print(line((f"{len(unrouted)} batches unrouted", "bold red"),
                           " (first reason: "
                           + ", ".join(f"{r} {n}" for r, n in sorted(rules.items()))
                           + "); each with its reasons in plan.json", highlight=True))
        return
    for u in unrouted:
        console.print(line(("unrouted", "bold red"), f" {u.batch_id} ({u.weight_kg:,.1f} kg):",
                           highlight=True))
        for c in u.reasons:
            console.print(line(f"    {c.rule}: {c.detail}", highlight=True))
        if u.would_route:
            console.print(line(f"    -> {u.would_route.sentence()}", highlight=True))


def _print_disposed(plan: Plan, console: Console) -> None:
    """Each batch disposed of abroad with why; beyond ``MAX_SUMMARY_ROWS`` only a count with
    and without a compliant return route (plan.json and report.html have them all)."""
    disposed = plan.disposed
    if len(disposed) > MAX_SUMMARY_ROWS:
        refused = sum(1 for d in disposed if d.return_cny is None)
        console.print(line((f"{len(disposed)} batches disposed of abroad", "bold yellow"),
                           f" ({refused} with no compliant return route, "
                           f"{len(disposed) - refused} dearer to return); each with why in "
                           "plan.json and report.html", highlight=True))
        return
    for d in disposed:
        console.print(line(("disposed", "bold yellow"), f" {d.batch_id} ({d.weight_kg:,.1f} kg):"
                           f" {d.why}", highlight=True))
        for c in d.reasons:
            console.print(line(f"    {c.rule}: {c.detail}", highlight=True))


def _fig(v: object, suffix: str = "") -> str:
    """A figure with one decimal and thousands separators, or "—" when missing."""
    return "—" if v is None else f"{float(v):,.1f}{suffix}"  # type: ignore[arg-type]


def unrouted_figures(plan: Plan) -> str:
    """What the plan leaves behind, next to its cost: 'unrouted: 12 parcels, 34.5 kg, 5,600
    CNY' (a plan never looks cheaper for leaving goods behind without saying so)."""
    t = plan.summary
    return (f"unrouted: {t.parcels_unrouted:,} parcels, {t.weight_unrouted_kg:,.1f} kg, "
            f"{t.value_unrouted_cny:,.0f} CNY")


def disposed_figures(plan: Plan) -> str:
    """What the plan disposes of abroad instead of returning, and what that costs: 'disposed of
    abroad: 12 parcels, 34.5 kg, value 5,600 CNY, cost 4,000 CNY'."""
    t = plan.summary
    return (f"disposed of abroad: {t.parcels_disposed:,} parcels, {t.weight_disposed_kg:,.1f} "
            f"kg, value {t.value_disposed_cny:,.0f} CNY, cost {t.disposal_cny:,.0f} CNY")


def saving_over(pct: float | None, compared: int, returned: int, which: str) -> str:
    """A saving stated over the parcels it compares: '84.1% over 1,850 of 2,187 returned
    parcels (those that may fly)' ("—" without a baseline)."""
    if pct is None:
        return "—"
    return f"{pct:,.1f}% over {compared:,} of {returned:,} returned parcels ({which})"


def headline(plan: Plan) -> list[str]:
    """The plan's headline, one figure group a line: the total (returns + disposals), what is
    returned, disposed of and left behind, the savings over the parcels they compare, the
    cost per returned kg."""
    t = plan.summary
    per_kg = "—" if t.cost_per_kg_cny is None else f"{t.cost_per_kg_cny:,.2f} CNY"
    return [
        f"total {t.total_cny:,.0f} CNY = returns {t.cost_cny:,.0f} CNY (landed, "
        f"{t.parcels_routed:,} parcels routed, {t.declarations:,} declarations) + disposals "
        f"{t.disposal_cny:,.0f} CNY",
        f"{disposed_figures(plan)} | {unrouted_figures(plan)}",
        "saving vs all-air " + saving_over(t.saving_vs_air_pct, t.parcels_compared_with_air,
                                           t.parcels_routed, "those that may fly")
        + " | saving vs same-route " + saving_over(
            t.saving_vs_same_route_pct, t.parcels_compared_with_same_route, t.parcels_routed,
            "those the old rule returns"),
        f"cost per returned kg {per_kg} ({t.weight_kg:,.1f} kg returned)"]


def _print_totals(plan: Plan, console: Console) -> None:
    """The headline (total, disposals, what is left behind, savings over their parcels, cost
    per kg), the waiting line (when some batch waits for a later departure), then the
    baselines, then the solve (status, bound, gap)."""
    t = plan.summary
    for text_line in headline(plan):
        console.print(line(text_line, highlight=True))
    waits = waiting_line(plan.batches)
    if waits is not None:
        console.print(line(waits, highlight=True))
    console.print(line(
        f"all-air {_fig(t.air_baseline_cny)} "
        f"(saving {_fig(t.saving_vs_air_pct, '%')}) | same-route "
        f"{_fig(t.same_route_baseline_cny)} (saving {_fig(t.saving_vs_same_route_pct, '%')})"
        f" | greedy {_fig(t.greedy_baseline_cny)} | CO2e {_fig(t.co2e_kg)} kg | "
        f"{t.vehicles} vehicles", highlight=True))
    console.print(line(
        f"status {plan.status} (solver {plan.solver_status}) | objective "
        f"{_fig(plan.objective_cny)} | bound {_fig(plan.bound_cny)} | gap "
        f"{_fig(None if plan.gap is None else plan.gap * 100, '%')} | "
        f"{plan.solve_seconds:.2f} s"
        + (" | stopped at the time limit" if plan.meta.time_limit_reached else ""),
        highlight=True))


def print_summary(plan: Plan, console: Console) -> None:
    """Per batch: port, district, entry, mode, legs, cost, all-air, saving, days; the
    departures billed on rate cards (the line applied, short); then totals.

    A plan with more than ``MAX_SUMMARY_ROWS`` batches shows the heaviest 40 and a table by
    return port and mode; every batch is in routes.csv.
    """
    shown = _shown_batches(plan)
    console.print(_batch_table(plan, shown))
    if len(shown) < len(plan.batches):
        console.print(line(f"... the {len(shown)} heaviest of {len(plan.batches)} batches; all "
                           "are in routes.csv", highlight=True))
        console.print(_route_table(plan.batches))
    _print_tariffs(plan, console)
    _print_unrouted(plan, console)
    _print_disposed(plan, console)
    _print_totals(plan, console)


#: the explain table's "best route" column wraps its lanes beyond this width, so that a rule's
#: finding in "rejected by" keeps to one line where it can
ROUTE_WIDTH = 18


def forced_cell(o: ExplainedOption) -> str:
    """What forcing the batch onto the row's (port, mode) changes in the plan's objective, the
    whole plan re-solved (the column "forced (re-solved)"): '+27,700 (OPTIMAL)', the status of
    that re-solve in brackets; '+0 (the plan)' for the chosen row; "—" when it was not
    re-solved."""
    if o.forced_change_cny is None:
        return "—"
    if o.status == "chosen":
        return f"{o.forced_change_cny:+,.0f} (the plan)"
    return f"{o.forced_change_cny:+,.0f} ({o.forced_status or 'no status'})"


def chosen_legs(e: Explanation) -> list[str]:
    """The chosen route leg by leg: the departure, what the batch pays on it, and on a rate card
    the line applied and the bill of the departure (``leg_tariff``)."""
    if e.chosen is None:
        return []
    uses = {(v.lane_id, v.depart_date): v for v in e.departures}
    out = []
    for leg in e.chosen.legs:
        v = uses.get((leg.lane_id, leg.depart_date))
        when = "" if leg.depart_date is None else (
            f", departs {leg.depart_date.isoformat()}"
            + ("" if leg.arrive_date is None else f", arrives {leg.arrive_date.isoformat()}"))
        priced = v is not None and v.priced is not None
        out.append(f"  leg {leg.lane_id} {leg.origin} → {leg.destination}{when}: "
                   f"{leg.cost_cny:,.2f} CNY for this batch"
                   + ("" if priced else " (priced in lanes.csv)"))
        if v is not None and priced:
            out += [f"    {x}" for x in leg_tariff(e.chosen, leg, v)]
    return out


def leg_tariff(bp: BatchPlan, leg: Leg, v: VehicleUse) -> list[str]:
    """A leg's rate card: the line (service, carrier, bands, minimum, surcharges, fees, FX),
    the bill of its departure in words, and how the batch's part of it comes about."""
    t = v.priced
    assert t is not None
    bill = bill_of(v)
    out = [f"tariff: {t.text()}"]
    if bill is not None:
        what = (f"{v.count} vehicle(s)" if t.line.basis == "vehicle" else "the shipment")
        out += [f"bill of {what} ({len(v.batch_ids)} batch(es), {v.load_kg:,.1f} kg, "
                f"{v.load_m3:,.2f} m3): {bill.freight_words()}", f"  {bill.money_words()}"]
    out.append(share_words(bp, leg, v))
    return out


def share_words(bp: BatchPlan, leg: Leg, v: VehicleUse) -> str:
    """How the batch's cost on a rate card leg comes about: its own kg at a plain rate, its
    share of the vehicles by the space it takes, its share of the shipment's bill by its
    chargeable units, or the whole bill when it rides alone."""
    t = v.priced
    assert t is not None
    cost = f"{leg.cost_cny:,.2f} CNY"
    if t.line.basis == "vehicle":
        return f"this batch's share: {cost}, by the space it takes on the vehicles"
    if t.linear:
        return (f"this batch pays {cost}: its own kg at the line's rate (one band, no minimum, "
                "fee or volumetric weight to share)")
    if len(v.batch_ids) == 1:
        return f"this batch pays the whole bill: {cost} (it rides the departure alone)"
    bill = bill_of(v)
    part = (f" ({leg.cost_cny / bill.total_cny:.1%} of the bill)"
            if bill is not None and bill.total_cny > 0 else "")
    own = t.line.units(bp.weight_kg, bp.volume_m3)
    units = bill.qty(own) if bill is not None else f"{own:,.2f} {t.line.unit}"
    return (f"this batch's share: {cost}{part}, in proportion to its chargeable units "
            f"({units}) among the batches on it")


def print_explanation(e: Explanation, console: Console) -> None:
    """Every (return port, mode) of one batch, with what forcing it there changes in the
    re-solved plan, then the chosen route (leg by leg, with the rate card line and bill of each
    departure billed on one) or why it is unrouted."""
    table = Table(title=_title(f"{e.batch_id}: candidate return ports and modes"))
    for col in ("return port", "district", "mode", "status", "landed CNY", "objective CNY",
                "vs chosen", "forced (re-solved)", "days"):
        table.add_column(col)
    table.add_column("best route", max_width=ROUTE_WIDTH)
    table.add_column("rejected by")
    for o in e.options:
        table.add_row(text(o.return_port), text(o.return_district), text(o.mode),
                      text(o.status), text(f"{o.standalone_cny:,.0f}"),
                      text(f"{o.objective_cny:,.0f}"),
                      text("—" if o.extra_vs_chosen_cny is None
                           else f"{o.extra_vs_chosen_cny:+,.0f}"),
                      text(forced_cell(o)),
                      text(o.transit_days), text(" > ".join(clean(x) for x in o.lanes)),
                      text(*(f"{x.rule}: {x.detail}" for x in o.rejected_by)))
    console.print(table)
    if e.chosen is not None:
        console.print(line(f"chosen: {e.chosen.return_port} by {e.chosen.mode}, "
                           f"{e.chosen.cost_cny:,.0f} CNY in the plan (vehicles shared with "
                           "other batches where cheaper)"))
        for text_line in chosen_legs(e):
            console.print(line(text_line))
    if e.unrouted is not None:
        console.print(line("unrouted: " + "; ".join(f"{c.rule}: {c.detail}"
                                                    for c in e.unrouted.reasons)))
        if e.unrouted.would_route:
            console.print(line(f"  {e.unrouted.would_route.sentence()} (confirmed by "
                               "re-solving)"))


def _cell(value: Any) -> Text:
    """A frame cell: "—" when missing, a float with one decimal, anything else as its text."""
    if value is None or (isinstance(value, float) and value != value):
        return text("—")
    if isinstance(value, float):
        return text(f"{value:,.1f}")
    return text(value)


def print_frame(frame: pd.DataFrame, title: str, console: Console,
                index: str | None = None) -> None:
    """A DataFrame as a table (``index``: show the index as the first column, so named)."""
    table = Table(title=_title(title))
    if index is not None:
        table.add_column(text(index))
    for name in frame.columns:
        table.add_column(text(name), justify="right" if index is not None else "left")
    for key, row in frame.iterrows():
        cells = [_cell(v) for v in row]
        table.add_row(*([text(key), *cells] if index is not None else cells))
    console.print(table)
