from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from monopilot.core.gs1 import (
    gs1_check_digit,
    make_sscc,
    validate_gln,
    validate_gtin,
    validate_nip,
    validate_sscc,
    with_check_digit,
)


def test_known_good_identifiers() -> None:
    assert validate_gtin("5901234123457") == "5901234123457"
    assert validate_gtin("96385074") == "96385074"
    assert validate_gln("5901234000000") == "5901234000000"
    assert validate_sscc("354107380000001051") == "354107380000001051"
    assert validate_nip("PL 526-025-09-95") == "5260250995"


@pytest.mark.parametrize(
    ("validator", "value", "message"),
    [
        (validate_gtin, "5901234123458", "GTIN 5901234123458 has a wrong check digit (expected 7)"),
        (validate_gtin, "59012341234", "GTIN must be 8/12/13/14 digits, got '59012341234'"),
        (validate_gtin, "59O1234123457", "GTIN must be 8/12/13/14 digits"),
        (validate_gln, "1111111111111", "GLN 1111111111111 has a wrong check digit"),
        (validate_gln, "590123400000", "GLN must be 13 digits"),
        (validate_sscc, "354107380000001052", "SSCC 354107380000001052 has a wrong check digit"),
        (validate_nip, "5260250996", "NIP 5260250996 has a wrong check digit"),
        (validate_nip, "526025099", "NIP must be 10 digits"),
    ],
)
def test_invalid_identifiers_are_rejected_with_a_clear_message(
    validator: object, value: str, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)  # type: ignore[operator]
    assert message in excinfo.value.messages[0]


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_generated_gtin13_always_validates(body: str) -> None:
    assert validate_gtin(with_check_digit(body)) == body + str(gs1_check_digit(body))


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_make_sscc_is_valid(serial: int) -> None:
    sscc = make_sscc(extension=3, company_prefix="5901234", serial=serial)
    assert len(sscc) == 18
    assert validate_sscc(sscc) == sscc
