"""GS1 identifiers (GTIN, GLN, SSCC) and the Polish NIP: check digits and clear errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError

_GTIN_LENGTHS = (8, 12, 13, 14)


def gs1_check_digit(body: str) -> int:
    """Mod-10 check digit of GS1: weights 3,1,3,… from the right of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _check_gs1(value: str, *, name: str, lengths: tuple[int, ...]) -> str:
    digits = (value or "").strip()
    if not digits.isdigit() or len(digits) not in lengths:
        allowed = "/".join(str(n) for n in lengths)
        raise ValidationError(
            f"{name} must be {allowed} digits, got {value!r}", code=f"invalid_{name.lower()}"
        )
    expected = gs1_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValidationError(
            f"{name} {digits} has a wrong check digit (expected {expected})",
            code=f"invalid_{name.lower()}",
        )
    return digits


def validate_gtin(value: str) -> str:
    return _check_gs1(value, name="GTIN", lengths=_GTIN_LENGTHS)


def validate_gln(value: str) -> str:
    return _check_gs1(value, name="GLN", lengths=(13,))


def validate_sscc(value: str) -> str:
    return _check_gs1(value, name="SSCC", lengths=(18,))


def make_sscc(*, extension: int, company_prefix: str, serial: int) -> str:
    """Build an SSCC-18 from extension digit, GS1 company prefix and serial reference."""
    serial_len = 16 - len(company_prefix)
    body = f"{extension}{company_prefix}{serial:0{serial_len}d}"
    if len(body) != 17:
        raise ValueError("company prefix and serial do not fit in an SSCC")
    return body + str(gs1_check_digit(body))


def with_check_digit(body: str) -> str:
    return body + str(gs1_check_digit(body))


_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def normalize_nip(value: str) -> str:
    """Strip the separators people type (123-456-78-90, PL prefix) to the 10 digits."""
    cleaned = (value or "").upper().replace("-", "").replace(" ", "")
    return cleaned.removeprefix("PL")


def validate_nip(value: str) -> str:
    digits = normalize_nip(value)
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError(f"NIP must be 10 digits, got {value!r}", code="invalid_nip")
    checksum = sum(int(d) * w for d, w in zip(digits, _NIP_WEIGHTS, strict=False)) % 11
    if checksum == 10 or checksum != int(digits[9]):
        raise ValidationError(f"NIP {digits} has a wrong check digit", code="invalid_nip")
    return digits
