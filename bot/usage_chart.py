"""Usage as a picture: a PNG chart of the last days (messages and tokens per day, stacked by
person) and the same numbers as CSV. matplotlib draws off the event loop (a worker thread,
its non-interactive Agg backend, one figure object per chart, no global pyplot state)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from storage.records import DailyUsage

TOP_PEOPLE = 8
"""People shown by name in the chart; the rest are summed as "others" (the CSV has all)."""
SIZE_INCHES = (12.0, 7.0)
DPI = 100
"""So a chart is 1200 × 700 pixels."""


def days_back(days: int, today: dt.date | None = None) -> list[str]:
    last = today or dt.datetime.now(dt.UTC).date()
    return [(last - dt.timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def usage_csv(rows: Sequence[DailyUsage], names: dict[str, str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "day",
            "user",
            "messages",
            "input_tokens",
            "output_tokens",
            "tokens",
            "web_searches",
            "images",
        ]
    )
    for row in rows:
        user = (names or {}).get(row.user, row.user)
        writer.writerow(
            [
                row.day,
                user,
                row.messages,
                row.input_tokens,
                row.output_tokens,
                row.tokens,
                row.web_searches,
                row.images,
            ]
        )
    return out.getvalue().encode()


def render_chart(
    rows: Sequence[DailyUsage], days: Sequence[str], title: str, others: str = "others"
) -> bytes:
    """The PNG: two stacked-bar panels (messages, tokens), one bar per day, by person."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.user] += row.tokens + row.messages
    top = sorted(totals, key=lambda user: (-totals[user], user))[:TOP_PEOPLE]
    series = [*top, others] if len(totals) > len(top) else top
    messages = {name: [0] * len(days) for name in series}
    tokens = {name: [0] * len(days) for name in series}
    index = {day: n for n, day in enumerate(days)}
    for row in rows:
        if row.day not in index:
            continue
        name = row.user if row.user in top else others
        messages[name][index[row.day]] += row.messages
        tokens[name][index[row.day]] += row.tokens

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    upper, lower = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(days)))
    for axes, values, label in ((upper, messages, "messages"), (lower, tokens, "tokens")):
        bottom = [0] * len(days)
        for name in series:
            axes.bar(positions, values[name], bottom=bottom, label=name, width=0.8)
            bottom = [a + b for a, b in zip(bottom, values[name], strict=True)]
        axes.set_ylabel(label)
        axes.grid(axis="y", alpha=0.3)
    upper.set_title(title)
    if series:
        upper.legend(loc="upper left", fontsize="small", ncols=min(len(series), 5))
    lower.set_xticks(positions[::3], [day[5:] for day in days[::3]], rotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_chart_async(
    rows: Sequence[DailyUsage], days: Sequence[str], title: str, others: str = "others"
) -> bytes:
    return await asyncio.to_thread(render_chart, rows, days, title, others)
