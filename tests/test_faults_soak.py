"""The soak (bench/soak.py) for one minute: 30 simulated people on Slack and Discord, model
and platform faults all along, the bot SIGKILLed and restarted once. Counts, not timings:
nothing accepted is lost, nothing is answered twice, and the bot exits cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")


async def test_a_minute_of_mixed_traffic_with_faults_loses_nothing_and_repeats_nothing() -> None:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "soak.py"),
        *("--seconds", "60", "--users", "30", "--restart-every", "30", "--json"),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    output = out.decode(errors="replace")
    assert process.returncode == 0, output
    result = json.loads(output.strip().splitlines()[-1])
    counts = result["counts"]
    assert counts["lost"] == 0 and counts["answered twice"] == 0, output
    assert counts["accepted"] >= 20 and counts["answered"] >= counts["accepted"] // 2, output
    assert result["restarts"] == 1 and sum(result["faults"].values()) >= 10, output
    assert result["exit_code"] == 0, output
