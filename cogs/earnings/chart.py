"""The summary chart: money per day stacked by status, and the effective hourly line.

`chart_spec` (pure, cheap) turns a summary into plain numbers and labels; `render_png`
draws them with matplotlib's object API and the Agg backend. Rendering takes a few hundred
milliseconds of CPU, holding the GIL through most of it, so the cog runs it in the worker
process (`bot.offload.run_cpu`): a module-level function, a picklable spec in, PNG bytes
out. matplotlib is imported inside `render_png` so loading the bot does not pay for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from bot.money import from_minor
from cogs.earnings.maths import Summary, rate

#: Longer periods are drawn per week, or the bars would be hairlines.
DAILY_LIMIT = 92

COLOURS = {
    "approved": "#2ecc71",
    "pending": "#f1c40f",
    "lost": "#e74c3c",
    "hourly": "#5865f2",
    "wage": "#7f8c8d",
}


@dataclass(frozen=True, slots=True)
class ChartText:
    """Everything written on the chart, already in the member's language."""

    title: str
    approved: str
    pending: str
    lost: str
    hourly: str
    min_wage: str
    money_axis: str
    hourly_axis: str
    date_format: str  # strftime pattern, numeric: "%m/%d" or "%d/%m"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    text: ChartText
    labels: tuple[str, ...]
    approved: tuple[float, ...]  # major units, for drawing only
    pending: tuple[float, ...]
    lost: tuple[float, ...]
    hourly: tuple[float | None, ...]
    min_wage: float | None


def _major(cents: int, currency: str) -> float:
    return float(from_minor(cents, currency))


def chart_spec(
    summary: Summary, currency: str, min_wage_cents: int | None, text: ChartText
) -> ChartSpec:
    """Bars per day (or per week for long periods) in one currency, gaps filled with zero."""
    weekly = summary.period.days > DAILY_LIMIT
    buckets: dict[date, list[int | Fraction]] = {}
    day = summary.period.start
    while day <= summary.period.end:
        key = day - timedelta(days=day.weekday()) if weekly else day
        buckets.setdefault(key, [0, 0, 0, 0, Fraction(0)])
        day += timedelta(days=1)
    for d in summary.days:
        if d.currency != currency:
            continue
        key = d.day - timedelta(days=d.day.weekday()) if weekly else d.day
        sums = buckets.setdefault(key, [0, 0, 0, 0, Fraction(0)])
        sums[0] += d.approved
        sums[1] += d.pending
        sums[2] += d.lost
        sums[3] += d.numerator
        sums[4] += d.time
    keys = sorted(buckets)
    hourly: list[float | None] = []
    for key in keys:
        value = rate(int(buckets[key][3]), buckets[key][4])
        hourly.append(None if value is None else _major(value, currency))
    return ChartSpec(
        text=text,
        labels=tuple(k.strftime(text.date_format) for k in keys),
        approved=tuple(_major(int(buckets[k][0]), currency) for k in keys),
        pending=tuple(_major(int(buckets[k][1]), currency) for k in keys),
        lost=tuple(_major(int(buckets[k][2]), currency) for k in keys),
        hourly=tuple(hourly),
        min_wage=None if min_wage_cents is None else _major(min_wage_cents, currency),
    )


def render_png(spec: ChartSpec) -> bytes:
    """Draw the chart and return PNG bytes. Call it off the event loop (`run_cpu`)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(spec.labels)))
    ax.bar(x, spec.approved, color=COLOURS["approved"], label=spec.text.approved)
    ax.bar(x, spec.pending, bottom=spec.approved, color=COLOURS["pending"], label=spec.text.pending)
    stacked = [a + p for a, p in zip(spec.approved, spec.pending, strict=True)]
    ax.bar(x, spec.lost, bottom=stacked, color=COLOURS["lost"], label=spec.text.lost, alpha=0.6)
    ax.set_ylabel(spec.text.money_axis)
    ax.set_title(spec.text.title)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], [spec.labels[i] for i in x[::step]], rotation=45, ha="right")
    ax.grid(axis="y", alpha=0.3)

    line_axis = ax.twinx()
    points = [(i, v) for i, v in zip(x, spec.hourly, strict=True) if v is not None]
    if points:
        line_axis.plot(
            [i for i, _ in points],
            [v for _, v in points],
            color=COLOURS["hourly"],
            marker="o",
            linewidth=2,
            label=spec.text.hourly,
        )
    if spec.min_wage is not None:
        line_axis.axhline(
            spec.min_wage, color=COLOURS["wage"], linestyle="--", label=spec.text.min_wage
        )
    line_axis.set_ylabel(spec.text.hourly_axis)
    top = max([v for _, v in points] + [spec.min_wage or 0, 0]) * 1.2
    line_axis.set_ylim(0, top or 1)
    ax.set_ylim(0, max([a + b for a, b in zip(stacked, spec.lost, strict=True)] + [0]) * 1.15 or 1)

    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = line_axis.get_legend_handles_labels()
    fig.legend(
        handles + more_handles,
        labels + more_labels,
        loc="lower center",
        ncol=5,
        fontsize="small",
        frameon=False,
    )
    # fixed margins: tight_layout would draw the whole figure once more just to measure it
    fig.subplots_adjust(left=0.08, right=0.91, top=0.92, bottom=0.24)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
