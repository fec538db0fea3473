"""Tax exposure: duty + import VAT when a return misses the 6-month relief."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import parcel

from optimizer.domain import Parcel
from optimizer.inputs import load_scenario
from optimizer.planning.costs import full_tax, relief_deadline
from optimizer.planning.pipeline import prepare, run

GENERAL = 0.08 + 0.13 * 1.08  # duty 8%, VAT 13% on value plus duty
FOOD = 0.15 + 0.13 * 1.15


def _tax_by_port(path) -> dict[str, float]:
    prepared = prepare(load_scenario(path))
    (batch,) = prepared.batches
    # the trips leaving on the first departure (the lanes run daily: the ready day)
    return {o.route.port.id: o.tax_cny for o in prepared.options[batch.batch_id]
            if o.trip.wait_days == 0}


def test_tax_switches_on_after_six_months(make_case) -> None:
    # Export 2026-01-10 (relief period 2026-2027): relief until 2026-07-10.
    # Ready 2026-07-01: BORDER declares 07-07, INLAND 07-10 (last day), AIRPORT 07-04: no tax.
    tax = _tax_by_port(make_case([parcel("P1", export="2026-01-10", ready="2026-07-01")],
                                 as_of="2026-07-01"))
    assert tax["BORDER"] == 0 and tax["INLAND"] == 0 and tax["AIRPORT"] == 0
    # Ready 2026-07-05: BORDER declares 07-11 and INLAND 07-14 -> taxed; AIRPORT 07-08 -> free.
    tax = _tax_by_port(make_case([parcel("P1", export="2026-01-10", ready="2026-07-05")],
                                 as_of="2026-07-05"))
    assert tax["BORDER"] == pytest.approx(100_000 * GENERAL)
    assert tax["INLAND"] == pytest.approx(100_000 * GENERAL)
    assert tax["AIRPORT"] == 0


def test_tax_exposure_moves_the_plan_to_the_fast_route(make_case) -> None:
    # BORDER 13,500 + 22,040 tax > AIRPORT 30,700 with no tax.
    path = make_case([parcel("P1", export="2026-01-10", ready="2026-07-05")], as_of="2026-07-05")
    plan = run(load_scenario(path))
    (bp,) = plan.batches
    assert bp.return_port == "AIRPORT"
    assert bp.components.tax_exposure == 0
    assert bp.cost_cny == pytest.approx(30_700)
    # with time to spare it takes the cheapest route (nationwide rule: NOPILOT, 12,500)
    path = make_case([parcel("P1", export="2026-01-10", ready="2026-06-01")], as_of="2026-06-01")
    assert run(load_scenario(path)).batches[0].return_port == "NOPILOT"


def test_food_never_has_the_relief(make_case) -> None:
    tax = _tax_by_port(make_case([parcel("P1", goods="food", export="2026-04-10",
                                         ready="2026-05-01")], as_of="2026-05-01"))
    assert tax and all(v == pytest.approx(100_000 * FOOD) for v in tax.values())


def test_exports_outside_relief_periods_are_taxed(make_case) -> None:
    # exported 2022-12-01: before the first relief period (2023-01-30)
    tax = _tax_by_port(make_case([parcel("P1", export="2022-12-01", ready="2023-01-05")],
                                 as_of="2023-01-10"))
    assert tax and all(v == pytest.approx(100_000 * GENERAL) for v in tax.values())


def test_parcel_tax_per_parcel(make_case) -> None:
    rules = load_scenario(make_case()).rules
    p = Parcel("X", "HUB", "SELLER", 1.0, 0.01, 1000.0, "9610", dt.date(2026, 2, 28), "BORDER",
               "general", dt.date(2026, 3, 1))
    # exported Feb 28: the relief runs to Aug 28 (6 months); declared after it, the parcel pays
    assert relief_deadline(p, rules) == dt.date(2026, 8, 28)
    assert full_tax(p, rules) == pytest.approx(1000 * GENERAL)
