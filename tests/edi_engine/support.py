"""Helpers shared by the engine tests."""

from __future__ import annotations

from pathlib import Path

from monopilot.edi.edifact import Interchange, Problem, parse, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edi"


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_fixture(name: str) -> list[Interchange]:
    return parse(read_fixture(name))


def error_codes(interchange: Interchange) -> set[tuple[int, str | None]]:
    """(0085 code, segment tag) of every error the full validation reports."""
    return {(int(p.code), p.segment_tag) for p in validate(interchange).errors}


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]
