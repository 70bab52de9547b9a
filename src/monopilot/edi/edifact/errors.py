"""Errors, problem reports and the UN/EDIFACT 0085 syntax error codes.

The engine distinguishes two things on purpose:

* ``EdifactError`` (and subclasses) is the only exception type the engine raises. It is
  reserved for input it cannot work with at all (not bytes, a segment larger than the
  configured limit, an outgoing value the chosen character set cannot carry, ...).
* ``Problem`` is a *finding* about received data. Readers and validators collect problems
  instead of raising, so one bad segment never hides the rest of the interchange and the
  CONTRL acknowledgement can list everything precisely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class EdifactError(Exception):
    """Base class of every exception raised by the EDIFACT engine."""


class EdifactInputError(EdifactError):
    """The input cannot be read at all (wrong type, resource limit exceeded)."""


class EdifactEncodeError(EdifactError):
    """An outgoing interchange cannot be written as requested (strict in what we send)."""


class EdifactSpecError(EdifactError):
    """A message specification file is missing or malformed."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class SyntaxErrorCode(IntEnum):
    """UN/EDIFACT data element 0085 (ISO 9735 list, as used by EANCOM partners)."""

    SYNTAX_VERSION_NOT_SUPPORTED = 2
    NOT_ACTUAL_RECIPIENT = 7
    INVALID_VALUE = 12
    MISSING = 13
    VALUE_NOT_SUPPORTED_IN_POSITION = 14
    NOT_SUPPORTED_IN_POSITION = 15
    TOO_MANY_CONSTITUENTS = 16
    NO_AGREEMENT = 17
    UNSPECIFIED = 18
    INVALID_DECIMAL_NOTATION = 19
    INVALID_SERVICE_CHARACTER = 20
    INVALID_CHARACTERS = 21
    INVALID_SERVICE_SEGMENT_TAG = 22
    UNKNOWN_INTERCHANGE_SENDER = 23
    TOO_OLD = 24
    TEST_INDICATOR_NOT_SUPPORTED = 25
    DUPLICATE_DETECTED = 26
    REFERENCES_DO_NOT_MATCH = 28
    CONTROL_COUNT_DOES_NOT_MATCH = 29
    GROUPS_AND_MESSAGES_MIXED = 30
    LOWER_LEVEL_EMPTY = 32
    TOO_MANY_REPETITIONS = 35
    TOO_MANY_GROUP_REPETITIONS = 36
    INVALID_TYPE_OF_CHARACTERS = 37
    DATA_ELEMENT_TOO_LONG = 39
    DATA_ELEMENT_TOO_SHORT = 40


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about received data, precise enough to fill a CONTRL UCS/UCD.

    Positions follow the CONTRL conventions: ``segment_position`` counts from UNH = 1
    inside a message (from UNB = 1 for envelope segments), ``element_index`` and
    ``component_index`` count from 1 (0098 / 0104). ``offset`` is the byte offset of the
    segment start in the original stream, ``line`` its 1-based line number.
    """

    severity: Severity
    code: SyntaxErrorCode
    message: str
    interchange_ref: str | None = None
    group_ref: str | None = None
    message_ref: str | None = None
    segment_position: int | None = None
    segment_tag: str | None = None
    element_index: int | None = None
    component_index: int | None = None
    offset: int | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = []
        if self.message_ref is not None:
            where.append(f"message {self.message_ref}")
        if self.segment_tag is not None:
            where.append(f"segment {self.segment_position} {self.segment_tag}")
        if self.element_index is not None:
            comp = f".{self.component_index}" if self.component_index is not None else ""
            where.append(f"element {self.element_index}{comp}")
        if self.line is not None:
            where.append(f"line {self.line}")
        location = ", ".join(where)
        return f"{self.severity.value} {int(self.code)}: {self.message} ({location})"
