"""Helpers every erp service uses: field errors, rounding, local dates, transitions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from monopilot.events.services import publish
from monopilot.tenancy.models import Organization

CENT = Decimal("0.01")
ZERO = Decimal("0")


def fail(field: str, message: str) -> NoReturn:
    """Raise a ValidationError whose message names the field it is about."""
    raise ValidationError({field: [f"{field}: {message}"]})


def money(value: Decimal) -> Decimal:
    """Round to grosz, half up (the Polish VAT rounding rule)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any, *, field: str) -> Decimal:
    """A Decimal from user input; floats are refused (their binary error leaks into money)."""
    if isinstance(value, float):
        fail(field, "must be a decimal string or Decimal, not a float")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        fail(field, f"{value!r} is not a number")
    if not number.is_finite():
        fail(field, f"{value!r} is not a number")
    return number


def positive(value: Any, *, field: str) -> Decimal:
    number = to_decimal(value, field=field)
    if number <= 0:
        fail(field, "must be greater than zero")
    return number


def non_negative(value: Any, *, field: str) -> Decimal:
    number = to_decimal(value, field=field)
    if number < 0:
        fail(field, "must not be negative")
    return number


def local_today(org: Organization) -> date:
    return timezone.localdate(timezone=ZoneInfo(org.timezone or "UTC"))


def check_transition(
    *, field: str, current: str, target: str, allowed: Mapping[str, Iterable[str]], what: str
) -> None:
    if target == current:
        fail(field, f"{what} is already {current}")
    if target not in allowed.get(current, ()):
        permitted = ", ".join(sorted(allowed.get(current, ()))) or "none"
        fail(field, f"{what} cannot go from {current} to {target} (allowed: {permitted})")


def emit(
    *, org: Organization, type: str, subject: tuple[str, object], data: dict[str, Any]
) -> None:
    publish(org=org, type=type, data=data, subject=subject)


def changes_of(instance: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Apply `values` to `instance` and return {field: [old, new]} for what really changed."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(instance, name, new)
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def validated(validator: Callable[[str], str], value: str, *, field: str) -> str:
    """Run a core.gs1 validator and re-raise its error under the field's name."""
    try:
        return validator(value)
    except ValidationError as exc:
        fail(field, " ".join(exc.messages))
