"""Whatever the input, the engine raises only EdifactError (or nothing)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monopilot.edi.edifact import (
    EdifactError,
    build_contrl,
    iter_interchanges,
    read_contrl,
    validate,
)

from .support import FIXTURES, read_fixture

SAMPLES = [read_fixture(p.name) for p in sorted(FIXTURES.glob("*.edi"))]
SPECIAL = [
    b"'",
    b"+",
    b":",
    b"?",
    b"*",
    b"UNA:+.? '",
    b"UNB+",
    b"UNH+",
    b"UNT+",
    b"UNZ+",
    b"UNG+",
    b"UNE+",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\xff",
    b"\x1d",
    b"\x1c",
]


def exercise(data: bytes) -> None:
    """Parse, validate, acknowledge and read; anything but EdifactError fails the test."""
    halves = iter([data[: len(data) // 2], data[len(data) // 2 :]])
    with contextlib.suppress(EdifactError):
        for inter in iter_interchanges(halves, max_segment_bytes=64 * 1024):
            report = validate(inter)
            read_contrl(inter)
            # e.g. partner ids that UNOA cannot carry: still our own error type
            with contextlib.suppress(EdifactError):
                build_contrl(
                    inter,
                    report,
                    sender=("US", "14"),
                    recipient=("THEM", "14"),
                    control_ref="1",
                    prepared=datetime(2024, 1, 1),
                )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    exercise(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=6)), max_size=60))
def test_random_edifact_like_tokens(parts: list[bytes]) -> None:
    exercise(b"".join(parts))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_mutated_samples(sample: bytes, data: st.DataObject) -> None:
    mutated = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 8))):
        if not mutated:
            break
        at = data.draw(st.integers(0, len(mutated) - 1))
        kind = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if kind == "flip":
            mutated[at] = data.draw(st.integers(0, 255))
        elif kind == "delete":
            del mutated[at : at + data.draw(st.integers(1, 20))]
        elif kind == "insert":
            mutated[at:at] = data.draw(st.sampled_from(SPECIAL))
        else:
            del mutated[at:]
    exercise(bytes(mutated))


def test_non_bytes_input_raises_own_error() -> None:
    for bad in ("text", 42, None, [1, 2]):
        try:
            list(iter_interchanges(bad))  # type: ignore[arg-type]
        except EdifactError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_oversized_segment_raises_own_error() -> None:
    try:
        list(iter_interchanges(b"UNB+" + b"A" * 5000, max_segment_bytes=1000))
    except EdifactError:
        return
    raise AssertionError("no error")
