"""Validation entry point: envelope checks plus structure checks per message.

The report merges, in this order, what the reader found while parsing (decoding, missing
trailers), envelope findings (UNB/UNZ, UNG/UNE, UNH/UNT counts and references, dates,
test indicator) and the spec-driven structure findings of every message.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from .envelope import EnvelopeChecker, problem_at
from .errors import Problem, Severity, SyntaxErrorCode
from .model import Interchange, Message, Segment
from .spec import SpecRegistry, default_registry
from .structure import validate_structure

E = SyntaxErrorCode


@dataclass(frozen=True, slots=True)
class ValidationOptions:
    """Partner agreement knobs. ``seen_interchanges`` holds (sender, recipient, 0020)
    triples already received, for duplicate detection (0085 = 26)."""

    accept_test: bool = True
    known_senders: Collection[str] | None = None
    seen_interchanges: Collection[tuple[str, str, str]] = ()
    associations: Collection[str] | None = None  # allowed UNH 0057; None = spec's list
    strict_charset: bool = False  # repertoire violations become errors


@dataclass(slots=True)
class ValidationReport:
    interchange_ref: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_message(self, message_ref: str) -> list[Problem]:
        return [p for p in self.problems if p.message_ref == message_ref]

    def envelope_problems(self) -> list[Problem]:
        """Findings not tied to a message (UNB/UNZ, UNG/UNE, stray segments)."""
        return [p for p in self.problems if p.message_ref is None]

    def message_ok(self, message_ref: str) -> bool:
        return not any(p.is_error for p in self.for_message(message_ref))


def validate(
    interchange: Interchange,
    specs: SpecRegistry | None = None,
    *,
    options: ValidationOptions | None = None,
) -> ValidationReport:
    opts = options or ValidationOptions()
    registry = specs or default_registry()
    report = ValidationReport(interchange.control_ref)
    report.problems.extend(_parse_problems(interchange, opts))
    EnvelopeChecker(interchange, opts, report.problems.append).check()
    for message in interchange.all_messages():
        report.problems.extend(_message_problems(message, interchange, registry, opts))
    return report


def _parse_problems(interchange: Interchange, opts: ValidationOptions) -> Iterator[Problem]:
    for problem in interchange.problems:
        repertoire = problem.message.startswith("characters outside")
        if opts.strict_charset and repertoire and problem.severity is Severity.WARNING:
            yield _replace_severity(problem, Severity.ERROR)
        else:
            yield problem


def _replace_severity(problem: Problem, severity: Severity) -> Problem:
    return Problem(
        severity,
        problem.code,
        problem.message,
        problem.interchange_ref,
        problem.group_ref,
        problem.message_ref,
        problem.segment_position,
        problem.segment_tag,
        problem.element_index,
        problem.component_index,
        problem.offset,
        problem.line,
    )


def _message_problems(
    message: Message, interchange: Interchange, registry: SpecRegistry, opts: ValidationOptions
) -> list[Problem]:
    ref = interchange.control_ref or None
    spec = registry.get(message.type, message.version, message.release)
    header = message.header or Segment("UNH", [], 1, message.offset, message.line)
    if spec is None:
        return [
            problem_at(
                header,
                Severity.WARNING,
                E.UNSPECIFIED,
                f"no specification for {message.identifier}; structure not validated",
                ref,
                message,
                element=2,
            )
        ]
    problems = validate_structure(message, spec, ref)
    allowed = opts.associations if opts.associations is not None else spec.associations
    if message.association and allowed and message.association not in allowed:
        problems.append(
            problem_at(
                header,
                Severity.WARNING,
                E.INVALID_VALUE,
                f"association code {message.association} not expected for "
                f"{message.type} {message.version}{message.release}",
                ref,
                message,
                element=2,
                component=5,
            )
        )
    return problems
