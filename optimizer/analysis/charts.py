"""Charts of sweeps and Pareto fronts, as PNG bytes (matplotlib, Agg: no display needed)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from optimizer.analysis.pareto import front
from optimizer.analysis.sweep import SweepRow


def chart(rows: Sequence[SweepRow], params: Iterable[str], title: str) -> bytes:
    """PNG: total landed cost and mode share (of kg) against each parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = list(params)
    ok = [r for r in rows if r.cost_cny is not None]
    positions = {name: _positions([r.params[name] for r in ok]) for name in params}
    fig, axes = plt.subplots(2, len(params), figsize=(5.5 * len(params), 7), squeeze=False)
    for j, name in enumerate(params):
        xs = [positions[name][0][i] for i in range(len(ok))]
        order = sorted(range(len(ok)), key=lambda i: xs[i])
        x = [xs[i] for i in order]
        ax = axes[0][j]
        ax.plot(x, [ok[i].cost_cny for i in order], marker="o", color="#1f4e79")
        ax.set_ylabel("total landed cost (CNY)")
        ax.set_title(f"{title}: cost vs {name}", fontsize=10)
        ax.grid(alpha=0.3)
        ax2 = axes[1][j]
        bottom = np.zeros(len(x))
        for mode, colour in (("tir_road", "#c0504d"), ("rail", "#4f81bd"), ("air", "#9bbb59"),
                             ("sea", "#1f6f8b"), ("road", "#d98c00")):
            share = np.array([getattr(ok[i], f"share_{mode}_pct") for i in order])
            ax2.bar(range(len(x)), share, bottom=bottom, color=colour, label=mode)
            bottom += share
        ax2.set_xticks(range(len(x)), [positions[name][1][i] for i in order], rotation=45,
                       fontsize=8)
        ax2.set_xlabel(name)
        ax2.set_ylabel("share of kg (%)")
        ax2.legend(fontsize=8)
    return _png(fig)


def _png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (and closed)."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _positions(values: Sequence[Any]) -> tuple[list[float], list[str]]:
    """x positions and tick labels: numbers as they are, dates by day, text by sorted order."""
    try:
        return [float(v) for v in values], [f"{float(v):g}" for v in values]
    except (TypeError, ValueError):
        pass
    try:
        days = [dt.date.fromisoformat(str(v)) for v in values]
        return [float(d.toordinal()) for d in days], [d.isoformat() for d in days]
    except ValueError:
        ranks = {v: i for i, v in enumerate(sorted({str(v) for v in values}))}
        return [float(ranks[str(v)]) for v in values], [str(v) for v in values]


def pareto_chart(days: Sequence[SweepRow], co2: Sequence[SweepRow], title: str) -> bytes:
    """PNG: cost vs mean transit days and cost vs CO2e, every point and the front."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, rows, key, label in ((axes[0], days, "mean_transit_days", "mean transit days"),
                                 (axes[1], co2, "co2e_kg", "CO2e (kg)")):
        pts = [r for r in rows if r.cost_cny is not None]
        ax.scatter([getattr(r, key) for r in pts], [r.cost_cny for r in pts], color="#999999",
                   label="solved points")
        fr = front(pts, key)
        ax.plot([getattr(r, key) for r in fr], [r.cost_cny for r in fr], marker="o",
                color="#c0504d", label="non-dominated")
        ax.set_xlabel(label)
        ax.set_ylabel("total landed cost (CNY)")
        ax.set_title(f"{title}: cost vs {label}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _png(fig)
