"""Tax exposure: the duty and import VAT a batch owes, by the date its return is declared.

A parcel whose export falls in a relief period, of a goods class that has the relief and a
trade mode it covers, declared within ``relief_months`` of its export (for 1210 goods, of the day
they left the special area, when the returns give it), comes back free of duty and import VAT.
So does a parcel returned for a quality or specification reason within
``quality_return_months`` of its export (the general returned-goods rule, any goods class or
trade mode). Any other parcel pays ``value * (duty + VAT * (1 + duty))`` (VAT is levied on value
plus duty).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools

from optimizer.domain import Batch, Parcel, Rules


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's last day (Aug 31 + 6 -> Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_tax(parcel: Parcel, rules: Rules) -> float:
    """Duty plus import VAT on value plus duty."""
    goods = rules.goods_classes[parcel.goods_class]
    return parcel.value_cny * (goods.duty_rate + rules.vat_rate * (1 + goods.duty_rate))


class TaxTable:
    """A batch's tax exposure as a function of its declaration date, computed once per batch.

    Each parcel either never has the relief (always taxed) or loses it after a deadline; the
    exposure for a date is the always-taxed sum plus the parcels whose deadline has passed.
    """

    def __init__(self, batch: Batch, rules: Rules) -> None:
        always = 0.0
        timed: list[tuple[dt.date, float]] = []
        for p in batch.parcels:
            full = full_tax(p, rules)
            relieved_until = relief_deadline(p, rules)
            if relieved_until is None:
                always += full
            else:
                timed.append((relieved_until, full))
        timed.sort()
        self._always = always
        self._deadlines = [d for d, _ in timed]
        self._cumulative = list(itertools.accumulate(t for _, t in timed))
        self._memo: dict[dt.date, float] = {}

    def at(self, declared: dt.date) -> float:
        """Duty and VAT owed if the batch is declared on ``declared``."""
        if declared not in self._memo:
            lost = bisect.bisect_left(self._deadlines, declared)
            self._memo[declared] = self._always + (self._cumulative[lost - 1] if lost else 0.0)
        return self._memo[declared]


def cbec_relief_deadline(parcel: Parcel, rules: Rules) -> dt.date | None:
    """The last declaration date that keeps the 6-month CBEC relief (None: it has none)."""
    goods = rules.goods_classes[parcel.goods_class]
    in_period = any(p.start <= parcel.export_date <= p.end for p in rules.relief_periods)
    if goods.tax_relief and in_period and parcel.trade_mode in rules.relief_trade_modes:
        start = parcel.export_date
        if parcel.trade_mode in rules.relief_from_area_exit and parcel.left_area_date:
            start = parcel.left_area_date
        return add_months(start, rules.relief_months)
    return None


def quality_deadline(parcel: Parcel, rules: Rules) -> dt.date | None:
    """The last declaration date of a tax-free quality or specification return (None: the
    parcel's reason is not one)."""
    if parcel.return_reason in rules.quality_return_reasons and rules.quality_return_months:
        return add_months(parcel.export_date, rules.quality_return_months)
    return None


def relief_deadline(parcel: Parcel, rules: Rules) -> dt.date | None:
    """The last declaration date that keeps the parcel free of duty and VAT (the later of the
    CBEC relief and the quality-return exemption), or None when it has neither."""
    found = [d for d in (cbec_relief_deadline(parcel, rules), quality_deadline(parcel, rules))
             if d is not None]
    return max(found) if found else None


