"""Usage chart benchmark: how long ``usage all`` takes to draw its PNG (in a worker thread)
and how much the event loop is held up meanwhile, for a busy workspace.

    python bench/usage_chart.py [--people 200] [--days 30] [--repeat 5]

Target: the event loop's lag stays under 20 ms while charts are drawn (the drawing is off
the loop); a chart takes well under a second. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.usage_chart import days_back, render_chart_async
from storage.records import DailyUsage


async def lag_probe(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - before - 0.005)


async def main(people: int, days: int, repeat: int) -> None:
    span = days_back(days)
    rows = [
        DailyUsage(
            900 * ((p + d) % 9),
            300 * ((p * d) % 5),
            day=day,
            user=f"user{p}",
            messages=(p * 7 + d) % 12,
        )
        for d, day in enumerate(span)
        for p in range(people)
    ]
    stop, lags = asyncio.Event(), []
    probe = asyncio.create_task(lag_probe(stop, lags))
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        png = await render_chart_async(rows, span, "Usage")
        times.append(time.perf_counter() - started)
        size = len(png)
    stop.set()
    await probe
    lags.sort()
    print(f"rows: {len(rows)} ({people} people × {days} days)")
    print(
        f"render: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    print(f"png: {size / 1024:.0f} KiB")
    p99 = lags[int(len(lags) * 0.99) - 1] if lags else 0.0
    print(f"event-loop lag while drawing: p99 {p99 * 1000:.1f} ms, max {lags[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.days, args.repeat))
