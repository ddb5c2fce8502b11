"""Untrusted text made safe to use: whether a message says anything at all, and attachment
names that cannot name a path, hide their type or carry control characters.

Platform-neutral and pure; the adapters call ``safe_filename`` where a name enters the bot,
so every later use (OpenAI Files, the model's prompt, the reply) sees the same safe name."""

from __future__ import annotations

import re
import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me", "Mc"})
"""Controls, format characters (zero-width space and joiners, U+2060, U+FEFF, bidi controls),
unassigned and private code points, white space, and combining marks (which show nothing
without a base character)."""
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
"""Letters and symbols that render as nothing: Hangul fillers, the Braille blank, the
Mongolian vowel separator."""

MAX_NAME = 100
"""Characters of a file name kept (the extension included)."""
MAX_EXTENSION = 16
_UNSAFE = re.compile(r'[\\/:*?"<>|`$]')
_SPACES = re.compile(r"\s+")


def visible(text: str) -> bool:
    """Whether ``text`` has at least one character a person would see."""
    return any(
        ch not in BLANK_LETTERS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES
        for ch in text
    )


def safe_filename(name: str, fallback: str = "file") -> str:
    """``name`` as a plain file name: its last path component, without control, format or path
    characters, at most ``MAX_NAME`` characters, its extension kept. ``../../etc/evil.csv`` →
    ``evil.csv``; ``report\u202egnp.exe`` → ``reportgnp.exe``; ``.csv`` → ``file.csv``; nothing
    usable → ``fallback``."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch
        for ch in name
        if ch not in BLANK_LETTERS and unicodedata.category(ch)[0] != "C"
    )
    kept = _SPACES.sub(" ", _UNSAFE.sub("_", kept)).strip(" ").rstrip(" .")
    stem, dot, extension = kept.rpartition(".")
    if not dot or len(extension) > MAX_EXTENSION or not visible(extension):
        whole = kept.strip(" .")[:MAX_NAME].rstrip(" .")
        return whole if _usable(whole) else fallback
    stem = stem.strip(" .")[: MAX_NAME - len(extension) - 1].rstrip(" .")
    return f"{stem if _usable(stem) else fallback}.{extension}"


def _usable(name: str) -> bool:
    return visible(name) and not set(name) <= {"_", " ", "."}
