"""Parsing cell values from files: decimal commas, booleans in English and Polish, ints."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

TRUE = {"1", "true", "yes", "y", "tak", "t", "x"}
FALSE = {"0", "false", "no", "n", "nie", "f", ""}


class BadValue(ValueError):
    pass


def text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def decimal(value: Any) -> Decimal | None:
    """'1,5', '1.5', '1 234,50' (spaces or no-break spaces as thousands) -> Decimal."""
    if isinstance(value, bool):
        raise BadValue(f"'{value}' is not a number")
    raw = text(value).replace("\u00a0", "").replace(" ", "")
    if raw == "":
        return None
    if "," in raw and "." not in raw and raw.count(",") == 1:
        raw = raw.replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise BadValue(f"'{text(value)}' is not a number") from None
    if not number.is_finite():
        raise BadValue(f"'{text(value)}' is not a number")
    return number


def integer(value: Any) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise BadValue(f"'{text(value)}' is not a whole number")
    return int(number)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise BadValue(f"'{text(value)}' is not true/false")


def code_list(value: Any) -> list[str]:
    if isinstance(value, list):
        parts = [text(v) for v in value]
    else:
        parts = text(value).replace(";", ",").split(",")
    return sorted({p for p in (s.strip() for s in parts) if p})
