"""``fx.csv``: exchange rates, CNY per unit of a foreign currency, by date (see the README's
"Rate cards and exchange rates").

    date,currency,cny_per_unit,source
    2025-07-01,USD,7.1656,PBOC central parity 2025-07-01

A rate line in a foreign currency is priced on a departure at the latest rate dated on or
before it (``domain.Pricing.fx_on``). The table is keyed by (currency, date): a pair written
twice is an error naming both lines, never "the last one wins". A scenario's ``overrides.fx``
adds rows to the table or replaces a (currency, date) pair: the planner's FX what-if. A
currency used by a rate line must have a rate dated on or before the planning date (``as_of``);
a missing rate is an input error (``missing_rates``), not a price of zero.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from optimizer.errors import Problem
from optimizer.inputs.files import (
    Collector,
    problem,
    read_table,
    unknown_key,
    validation_message,
)
from optimizer.inputs.schema import Date, Text

FX_COLUMNS = ("date", "currency", "cny_per_unit", "source")
#: rows in one FX file: daily rates of 100 currencies over 27 years fit
MAX_FX_ROWS = 1_000_000
#: CNY per unit of a currency: the dearest real one (KWD) is ~24 CNY; far below this bound
MAX_CNY_PER_UNIT = 100_000

SOURCE_REQUIRED = "a source is required: where the figure comes from, or 'assumption'"


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        hint = f" (did you mean {value.upper()}?)" if re.fullmatch(r"[A-Za-z]{3}", value) else ""
        raise ValueError(f"a currency is a three-letter ISO 4217 code in capitals, such as "
                         f"USD, EUR or CNY{hint}")
    return value


def _nonblank(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(SOURCE_REQUIRED)
    return value


#: an ISO 4217 code as written in a rate card: three capital letters
Currency = Annotated[str, AfterValidator(_currency)]
CnyPerUnit = Annotated[float, Field(gt=0, le=MAX_CNY_PER_UNIT, allow_inf_nan=False)]
#: a source that says something: every figure in data carries one (or says "assumption")
Source = Annotated[Text, BeforeValidator(_nonblank)]


def row_message(e: Any, model: type[BaseModel]) -> str:
    """A pydantic error of one table row or entry as a user reads it (a missing value says
    what belongs there)."""
    if e["type"] == "missing":
        return SOURCE_REQUIRED if tuple(e["loc"]) == ("source",) else \
            "required: a value is needed here"
    return validation_message(e, model)


class FxIn(BaseModel):
    """One exchange rate: a row of fx.csv or an entry of ``overrides.fx``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    date: Date
    currency: Currency
    cny_per_unit: CnyPerUnit
    source: Source


@dataclass(frozen=True, slots=True)
class FxRate:
    """One exchange rate and where it was written (file, and line or YAML path)."""

    currency: str
    date: dt.date
    cny_per_unit: float
    source: str
    file: str
    where: str


def check_fx(r: FxIn) -> list[tuple[str, str]]:
    """(field, message) of what is wrong with a rate beyond its shape."""
    if r.currency == "CNY":
        return [("currency", "CNY is the currency rates convert to: it needs no rate")]
    return []


def load_fx(path: Path) -> dict[tuple[str, dt.date], FxRate]:
    """Read an FX file (CSV, or an ``.xlsx`` workbook: its sheet ``fx`` or its first sheet):
    the rates by (currency, date); every problem of every row is reported at once."""
    data = read_table(path, FX_COLUMNS, (), sheet="fx", max_rows=MAX_FX_ROWS,
                      what="exchange rates")
    col = Collector(data.file)
    for name in data.header:
        if name not in FX_COLUMNS:
            col.add(data.header_where, name, unknown_key(name, FX_COLUMNS, "column"))
    col.raise_if_any()
    table: dict[tuple[str, dt.date], FxRate] = {}
    for where, row in data.rows:
        try:
            r = FxIn.model_validate({k: v for k, v in row.items() if v != ""})
        except ValidationError as err:
            for e in err.errors(include_url=False):
                col.add(where, ".".join(map(str, e["loc"])), row_message(e, FxIn))
            continue
        for field, msg in check_fx(r):
            col.add(where, field, msg)
        key = (r.currency, r.date)
        if key in table:
            col.add(where, "date", f"a second {r.currency} rate for {r.date} (also "
                    f"{table[key].where}): one rate per currency and day")
            continue
        table[key] = FxRate(r.currency, r.date, r.cny_per_unit, r.source, data.file, where)
        if col.full:
            break
    col.raise_if_any()
    return table


def with_overrides(table: Mapping[tuple[str, dt.date], FxRate], items: Sequence[FxIn],
                   file: str) -> dict[tuple[str, dt.date], FxRate]:
    """The table with a scenario's ``overrides.fx`` added (a (currency, date) pair already in
    the table is replaced: that is the what-if)."""
    out = dict(table)
    for i, r in enumerate(items):
        out[(r.currency, r.date)] = FxRate(r.currency, r.date, r.cny_per_unit, r.source, file,
                                           f"overrides.fx[{i}]")
    return out


def series(table: Mapping[tuple[str, dt.date], FxRate]) -> dict[str, tuple[
        tuple[dt.date, float], ...]]:
    """Per currency, its rates as (date, CNY per unit), ascending (``domain.Pricing.fx``)."""
    out: dict[str, list[tuple[dt.date, float]]] = {}
    for (currency, day), rate in sorted(table.items()):
        out.setdefault(currency, []).append((day, rate.cny_per_unit))
    return {c: tuple(v) for c, v in out.items()}


def missing_rates(used: Iterable[tuple[str, str, str]], table: Mapping[
        tuple[str, dt.date], FxRate], as_of: dt.date, fx_file: str) -> list[Problem]:
    """One problem per foreign currency used by a rate line (``used``: currency, and the file
    and place of the first line priced in it) that has no rate dated on or before ``as_of``."""
    first: dict[str, dt.date] = {}
    for currency, day in table:
        first[currency] = min(day, first.get(currency, day))
    by_currency: dict[str, tuple[str, str]] = {}
    for currency, file, where in used:
        by_currency.setdefault(currency, (file, where))
    out = []
    for currency, (file, where) in sorted(by_currency.items()):
        if currency == "CNY" or (currency in first and first[currency] <= as_of):
            continue
        later = f" (its first rate is dated {first[currency]})" if currency in first else ""
        out.append(problem(fx_file, "", "currency", f"no {currency} rate dated on or before "
                           f"{as_of} (the planning date){later}; {file} {where} is priced in "
                           f"{currency}: add a row date,currency,cny_per_unit,source to "
                           "the FX file or an entry to overrides.fx (a missing rate is an "
                           "input error, never a price of zero)"))
    return out
