"""Pure-Python UN/EDIFACT + EANCOM engine (no Django): read, validate, write, acknowledge.

"Be strict in what we send, precise in what we report about what we receive, and never
crash": every finding about received data is a :class:`Problem` (severity, CONTRL 0085
code, message ref, segment position/tag, element/component index, byte offset, line), and
the only exception type that leaves the engine is :class:`EdifactError`.

Public API
----------
Reading
    ``parse(data: bytes) -> list[Interchange]``
        Whole file; several interchanges per file, UNA/BOM/CRLF tolerated.
    ``iter_interchanges(source) -> Iterator[Interchange]``
        Streams bytes, a binary file object or an iterable of chunks, one interchange at a
        time.
    ``Tokenizer(source)``
        The low-level streaming path: yields ``RawSegment`` / ``ServiceStringAdvice`` tokens
        without building a tree (constant memory).
Validation
    ``validate(interchange, specs=None, *, options=None) -> ValidationReport``
        Parse findings + envelope (UNB/UNZ, UNG/UNE, UNH/UNT counts and references, dates,
        test indicator, duplicates, known senders) + structure per message spec.
    ``load_spec(message_type, version) -> MessageSpec``, ``SpecRegistry.from_directory()``
        Message specs are JSON data in ``monopilot/edi/eancom/specs``: ORDERS, ORDRSP,
        DESADV, INVOIC, RECADV for D96A and D01B, and CONTRL (2:2, D:3, 4:1).
Writing
    ``write_interchange(interchange, options=WriterOptions(...)) -> bytes``
        Recomputes UNT/UNE/UNZ counts and references, escapes with the release character,
        encodes strictly in the partner's character set, emits UNA when needed.
    ``segment(tag, *elements)`` and the dataclasses ``Interchange``/``Group``/``Message``
    build outgoing messages.
CONTRL
    ``build_contrl(interchange, report, *, sender, recipient, control_ref, ...) -> bytes``
    ``read_contrl(interchange) -> list[ContrlResult]`` and ``message_status(...)``
"""

from .contrl import (
    CONTRL_EANCOM97,
    CONTRL_SYNTAX4,
    ContrlError,
    ContrlResult,
    ContrlStatus,
    build_contrl,
    build_contrl_message,
    message_status,
    read_contrl,
)
from .errors import (
    EdifactEncodeError,
    EdifactError,
    EdifactInputError,
    EdifactSpecError,
    Problem,
    Severity,
    SyntaxErrorCode,
)
from .model import Group, Interchange, Message, Segment, segment
from .reader import iter_interchanges, parse
from .spec import MessageSpec, SpecRegistry, load_spec
from .syntax import ServiceChars
from .tokenizer import RawSegment, ServiceStringAdvice, Tokenizer
from .validator import ValidationOptions, ValidationReport, validate
from .writer import WriterOptions, escape, write_interchange, write_message

__all__ = [
    "CONTRL_EANCOM97",
    "CONTRL_SYNTAX4",
    "ContrlError",
    "ContrlResult",
    "ContrlStatus",
    "EdifactEncodeError",
    "EdifactError",
    "EdifactInputError",
    "EdifactSpecError",
    "Group",
    "Interchange",
    "Message",
    "MessageSpec",
    "Problem",
    "RawSegment",
    "Segment",
    "ServiceChars",
    "ServiceStringAdvice",
    "Severity",
    "SpecRegistry",
    "SyntaxErrorCode",
    "Tokenizer",
    "ValidationOptions",
    "ValidationReport",
    "WriterOptions",
    "build_contrl",
    "build_contrl_message",
    "escape",
    "iter_interchanges",
    "load_spec",
    "message_status",
    "parse",
    "read_contrl",
    "segment",
    "validate",
    "write_interchange",
    "write_message",
]
