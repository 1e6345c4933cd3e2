"""The comparison as a PNG table, for members who prefer a picture to a code block.

CPU-bound and holding the GIL: the cog runs `render_table` in the worker process
(`bot.offload.run_cpu`: plain strings and numbers in, PNG bytes out). It uses
matplotlib's object API with the Agg canvas, never pyplot, so concurrent renders share no
global figure state. No discord import: the cog wraps the bytes in a `discord.File`.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

#: Cell colours for a score (higher is better), soft enough to keep text readable.
GOOD = "#c8efd4"
FAIR = "#fbe3c4"
BAD = "#f6c6c1"
HEADER = "#5865f2"
STRIPE = "#f4f5f7"
WIDTH_INCHES = 10.0
ROW_INCHES = 0.38
HEADER_INCHES = 0.62
TITLE_INCHES = 0.7
NOTE_LINE_INCHES = 0.2
DPI = 110
#: Share of the width for: name, each score, the review count, the hourly.
NAME_SHARE = 0.22
HOURLY_SHARE = 0.16
COUNT_SHARE = 0.07
NOTE_WIDTH = 140
HEADER_WIDTH = 12


def _plain(text: str) -> str:
    """Matplotlib reads `$…$` as mathematics; money must stay money."""
    return text.replace("$", r"\$")


def score_colour(value: float | None) -> str | None:
    if value is None:
        return None
    if value >= 3.5:
        return GOOD
    if value >= 2.5:
        return FAIR
    return BAD


def render_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    scores: Sequence[Sequence[float | None]],
    footnote: str,
) -> bytes:
    """A PNG of the table; `scores[i][j]` colours the j-th score cell of row i.

    Columns are: the name, one per score, the review count, the hourly.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    note_lines = textwrap.wrap(footnote, NOTE_WIDTH) or [""]
    table_inches = HEADER_INCHES + ROW_INCHES * len(rows)
    note_inches = NOTE_LINE_INCHES * (len(note_lines) + 1)
    height = TITLE_INCHES + table_inches + note_inches
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(figure)
    bottom = note_inches / height
    axes = figure.add_axes((0.02, bottom, 0.96, table_inches / height))
    axes.axis("off")
    figure.text(
        0.5,
        1 - 0.45 * TITLE_INCHES / height,
        _plain(title),
        ha="center",
        va="center",
        fontsize=15,
        fontweight="bold",
    )
    score_columns = len(headers) - 3
    score_share = (1 - NAME_SHARE - COUNT_SHARE - HOURLY_SHARE) / max(1, score_columns)
    widths = [NAME_SHARE, *([score_share] * score_columns), COUNT_SHARE, HOURLY_SHARE]
    labels = [_plain("\n".join(textwrap.wrap(h, HEADER_WIDTH)) or h) for h in headers]
    table = axes.table(
        cellText=[[_plain(cell) for cell in row] for row in rows],
        colLabels=labels,
        colWidths=widths,
        cellLoc="center",
        bbox=(0.0, 0.0, 1.0, 1.0),
    )
    table.auto_set_font_size(False)
    header_share = HEADER_INCHES / table_inches
    row_share = ROW_INCHES / table_inches
    for (row, column), cell in table.get_celld().items():
        cell.set_edgecolor("#d0d3d9")
        text = cell.get_text()
        text.set_fontsize(10)
        if row == 0:
            cell.set_height(header_share)
            cell.set_facecolor(HEADER)
            text.set_color("white")
            text.set_fontweight("bold")
            text.set_fontsize(9)
            continue
        cell.set_height(row_share)
        colour = None
        if 1 <= column <= score_columns and row - 1 < len(scores):
            row_scores = scores[row - 1]
            if column - 1 < len(row_scores):
                colour = score_colour(row_scores[column - 1])
        cell.set_facecolor(colour or (STRIPE if row % 2 == 0 else "white"))
        if column == 0:
            text.set_horizontalalignment("left")
            text.set_fontweight("bold")
            cell.PAD = 0.03
    figure.text(
        0.02,
        0.5 * note_inches / height,
        _plain("\n".join(note_lines)),
        ha="left",
        va="center",
        fontsize=8,
        color="#444444",
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
