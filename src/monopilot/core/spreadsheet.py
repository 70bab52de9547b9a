"""CSV cells that a spreadsheet will not execute (OWASP CSV injection)."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
