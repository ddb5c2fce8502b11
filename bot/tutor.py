"""Tutor policies: a preset an admin switches on for a channel (or a workspace), always or in
time windows. It is instructions for the model plus a cheap check of the final text, which
the person sees only once checked (nothing is shown while it is written).

The check is a heuristic, not a proctor: it catches the usual shapes of a handed-over
solution (a "final answer" line, a bare result such as ``x = 5``, a complete program), in
English and Korean. A model told not to can still phrase a solution around it, and a
person can still ask elsewhere; the README says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRESETS = ("hints", "socratic", "exam")

INSTRUCTIONS = {
    "hints": (
        "Tutor mode: HINTS ONLY. Never give a complete solution, the final answer, or "
        "complete working code for the student's problem. Give one hint or the next step at "
        "a time, point out mistakes in their work, and ask them to try the next step "
        "themselves. Explaining a general concept with a different example is fine."
    ),
    "socratic": (
        "Tutor mode: SOCRATIC. Do not give solutions or final answers. Guide with questions: "
        "ask one focused question at a time that leads the student to the next step, respond "
        "to their reasoning, and end every reply with a question for them."
    ),
    "exam": (
        "Exam mode: an exam is in progress. Do not solve problems, give hints about them, or "
        "check answers. You may only clarify what a question asks, state general definitions "
        "without applying them to the problem, and help with technical issues. Politely "
        "decline everything else."
    ),
}

_ANSWER = re.compile(
    r"\b(final answer|the answer is|answer\s*:|the solution is|so the result is)"
    r"|(정답은|정답:|답은|최종 답|풀이 결과)",
    re.IGNORECASE,
)
# A line that only assigns a number, the way a worked solution ends: "x = 42".
_RESULT_LINE = re.compile(r"^\s*[*_]*[a-zA-Z]\w*\s*=\s*-?\d+(?:[.,/]\d+)?[*_]*\s*\.?\s*$", re.M)
_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_WINDOW = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")

FULL_PROGRAM_LINES = 6
"""A code block this long in an answer counts as complete working code."""


@dataclass(frozen=True)
class TutorPolicy:
    preset: str
    windows: tuple[tuple[str, str], ...] = ()
    """Daily (start, end) as HH:MM in ``tz``; none = always. An end before the start wraps
    past midnight."""
    tz: str = "UTC"

    def to_json(self) -> str:
        return json.dumps({"preset": self.preset, "windows": self.windows, "tz": self.tz})

    @classmethod
    def from_json(cls, text: str | None) -> TutorPolicy | None:
        if not text:
            return None
        data = json.loads(text)
        windows = tuple((str(a), str(b)) for a, b in data.get("windows") or ())
        return cls(str(data.get("preset")), windows, str(data.get("tz") or "UTC"))

    def describe(self) -> str:
        if not self.windows:
            return self.preset
        spans = ", ".join(f"{a}–{b}" for a, b in self.windows)
        return f"{self.preset} ({spans} {self.tz})"

    def active(self, now: dt.datetime | None = None) -> bool:
        if self.preset not in PRESETS:
            return False
        if not self.windows:
            return True
        zone = dt.UTC if self.tz == "UTC" else ZoneInfo(self.tz)
        moment = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
        minute = moment.hour * 60 + moment.minute
        for start, end in self.windows:
            a, b = _minutes(start), _minutes(end)
            if (a <= minute < b) if a <= b else (minute >= a or minute < b):
                return True
        return False

    def instructions(self) -> str:
        return INSTRUCTIONS[self.preset]

    def violation(self, text: str) -> str | None:
        """Why the final text looks like a handed-over solution, or None."""
        if _ANSWER.search(text):
            return "states a final answer"
        if _RESULT_LINE.search(text):
            return "ends in a bare result"
        for block in _CODE_BLOCK.findall(text):
            lines = [line for line in block.splitlines() if line.strip()]
            if self.preset == "exam" or len(lines) >= FULL_PROGRAM_LINES:
                return "contains working code"
        return None


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def parse_policy(words: list[str]) -> TutorPolicy | str | None:
    """``PRESET [HH:MM-HH:MM …] [TIME_ZONE]`` → a policy; ``off`` → an "off" policy (to turn
    off an inherited one); ``default`` → None (inherit). A string is what was wrong."""
    if not words:
        return "missing"
    preset = words[0].lower()
    if preset == "default":
        return None
    if preset == "off":
        return TutorPolicy("off")
    if preset not in PRESETS:
        return "preset"
    windows: list[tuple[str, str]] = []
    tz = "UTC"
    for word in words[1:]:
        match = _WINDOW.match(word)
        if match:
            h1, m1, h2, m2 = match.groups()
            windows.append((f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"))
            continue
        if word.upper() != "UTC":
            try:
                ZoneInfo(word)
            except (ZoneInfoNotFoundError, ValueError):
                return "window"
        tz = "UTC" if word.upper() == "UTC" else word
    return TutorPolicy(preset, tuple(windows), tz)
