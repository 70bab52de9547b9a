"""Reader: assemble tokenizer output into Interchange objects, one interchange at a time.

Lenient by design: structural damage (missing UNZ/UNT/UNB, stray segments, a second UNA)
becomes a Problem on the interchange and the reader carries on. Only the tokenizer's input
errors (EdifactInputError) propagate.
"""

from __future__ import annotations

from collections.abc import Iterator

from .bulk import MIN_WINDOW, BulkReader, gc_paused
from .errors import Problem, Severity, SyntaxErrorCode
from .model import Group, Interchange, Message, Segment
from .syntax import Charset, charset_for, decode_component
from .tokenizer import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_SEGMENT_BYTES,
    ByteOrderMark,
    RawSegment,
    ServiceStringAdvice,
    Source,
    Token,
    Tokenizer,
    TokenNote,
)

_MISSING = SyntaxErrorCode.MISSING


def iter_interchanges(
    source: Source,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
) -> Iterator[Interchange]:
    """Yield interchanges from bytes, a binary file object or an iterable of byte chunks.

    Only one interchange is held in memory at a time.
    """
    assembler = _Assembler()
    tokenizer = Tokenizer(source, chunk_size=chunk_size, max_segment_bytes=max_segment_bytes)
    tokens = tokenizer._run(assembler.bulk)
    while True:
        with gc_paused():
            done, more = assembler.next_interchanges(tokens)
        yield from done
        if not more:
            return


def parse(data: bytes) -> list[Interchange]:
    """Parse a whole file. An empty input yields an empty list."""
    return list(iter_interchanges(data))


def _text(raw: bytes) -> str:
    return raw.decode("latin-1")


class _Assembler(BulkReader):
    def __init__(self) -> None:
        self.current: Interchange | None = None
        self.group: Group | None = None
        self.message: Message | None = None
        self.charset: Charset = charset_for("UNOC")
        self.count = 0  # envelope-level segment position (UNB = 1)
        self.pending_una: ServiceStringAdvice | None = None
        self.pending_bom = False
        self.end_offset = 0
        self.window = MIN_WINDOW  # bulk path: bytes to look at per call

    # -- token dispatch ------------------------------------------------------------------

    def feed(self, token: RawSegment | ServiceStringAdvice | ByteOrderMark) -> list[Interchange]:
        if isinstance(token, ByteOrderMark):
            self.pending_bom = True
            return []
        if isinstance(token, ServiceStringAdvice):
            done = self._close("UNA of the next interchange", token.offset, token.line)
            self.pending_una = token
            return done
        self.end_offset = token.offset
        tag = _text(token.tag)
        if tag == "UNB":
            done = self._close("UNB of the next interchange", token.offset, token.line)
            self._open(token)
            return done
        if self.current is None:
            self._open_implicit(token)
        return self._dispatch(tag, token)

    def finish(self) -> list[Interchange]:
        return self._close("end of input", self.end_offset, 0)

    def next_interchanges(self, tokens: Iterator[Token]) -> tuple[list[Interchange], bool]:
        """Feed tokens until an interchange is complete: (completed, more input left)."""
        for token in tokens:
            done = self.feed(token)
            if done:
                return done, True
        return self.finish(), False

    def _dispatch(self, tag: str, raw: RawSegment) -> list[Interchange]:
        inter = self.current
        assert inter is not None
        self.count += 1
        if tag == "UNZ":
            self._end_message_if_open(raw)
            self._end_group_if_open(raw)
            inter.trailer = self._decode(raw, self.count)
            self.current = None
            return [inter]
        if tag == "UNG":
            self._end_message_if_open(raw)
            self._end_group_if_open(raw)
            self.group = _group_from(self._decode(raw, self.count))
            inter.groups.append(self.group)
        elif tag == "UNE":
            self._end_message_if_open(raw)
            if self.group is None:
                self._report(raw, SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, "UNE without UNG")
            else:
                self.group.trailer = self._decode(raw, self.count)
                self.group = None
        elif tag == "UNH":
            self._end_message_if_open(raw)
            self._start_message(raw)
        elif self.message is not None:
            self.message.segments.append(self._decode(raw, len(self.message.segments) + 1))
            if tag == "UNT":
                self.message = None
        else:
            self._report(
                raw, SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, f"segment {tag} outside a message"
            )
        return []

    # -- interchange / group / message boundaries -------------------------------------------

    def _open(self, raw: RawSegment) -> None:
        syntax_id = _text(raw.elements[0][0]) if raw.elements else ""
        self.charset = charset_for(syntax_id)
        inter = Interchange(service_chars=raw.chars, offset=raw.offset, line=raw.line)
        inter.una = self.pending_una is not None
        inter.bom = self.pending_bom
        self.pending_una, self.pending_bom = None, False
        self.current, self.group, self.message, self.count = inter, None, None, 1
        header = self._decode(raw, 1)
        _fill_header(inter, header)

    def _open_implicit(self, raw: RawSegment) -> None:
        """Segments before any UNB (e.g. a bare CONTRL message): keep them in an
        interchange without header so the messages remain usable."""
        inter = Interchange(service_chars=raw.chars, offset=raw.offset, line=raw.line)
        inter.una = self.pending_una is not None
        inter.bom = self.pending_bom
        self.pending_una, self.pending_bom = None, False
        self.charset = charset_for("UNOC")
        self.current, self.group, self.message, self.count = inter, None, None, 0
        inter.problems.append(
            Problem(
                Severity.ERROR,
                _MISSING,
                "UNB missing: data does not start with an interchange header",
                segment_position=1,
                segment_tag="UNB",
                offset=raw.offset,
                line=raw.line,
            )
        )

    def _close(self, reason: str, offset: int, line: int) -> list[Interchange]:
        inter = self.current
        if inter is None:
            return []
        self._end_message_if_open(None, offset, line)
        self._end_group_if_open(None, offset, line)
        if inter.header is not None:
            inter.problems.append(
                Problem(
                    Severity.ERROR,
                    _MISSING,
                    f"UNZ missing (found {reason})",
                    interchange_ref=inter.control_ref,
                    segment_position=self.count + 1,
                    segment_tag="UNZ",
                    offset=offset,
                    line=line or None,
                )
            )
        self.current = None
        return [inter]

    def _start_message(self, raw: RawSegment) -> None:
        message = Message(
            ref="", type="", version="", release="", agency="", offset=raw.offset, line=raw.line
        )
        self.message = message  # set first so decode problems carry the message context
        self._begin_message(self._decode(raw, 1), message)

    def _begin_message(self, header: Segment, message: Message | None = None) -> Message:
        assert self.current is not None
        if message is None:
            message = Message(
                ref="",
                type="",
                version="",
                release="",
                agency="",
                offset=header.offset,
                line=header.line,
            )
            self.message = message
        message.segments.append(header)
        message.ref = header.value(1)
        message.type, message.version, message.release, message.agency, message.association = (
            header.value(2, i) for i in range(1, 6)
        )
        if self.group is not None:
            message.group_ref = self.group.ref
            self.group.messages.append(message)
        else:
            self.current.messages.append(message)
        return message

    def _end_message_if_open(self, raw: RawSegment | None, offset: int = 0, line: int = 0) -> None:
        message = self.message
        if message is None:
            return
        where_offset = raw.offset if raw else offset
        where_line = raw.line if raw else line
        self._problem(
            Problem(
                Severity.ERROR,
                _MISSING,
                "UNT missing",
                message_ref=message.ref,
                segment_position=len(message.segments) + 1,
                segment_tag="UNT",
                offset=where_offset,
                line=where_line or None,
            )
        )
        self.message = None

    def _end_group_if_open(self, raw: RawSegment | None, offset: int = 0, line: int = 0) -> None:
        group = self.group
        if group is None:
            return
        self._problem(
            Problem(
                Severity.ERROR,
                _MISSING,
                "UNE missing",
                group_ref=group.ref,
                segment_position=self.count,
                segment_tag="UNE",
                offset=raw.offset if raw else offset,
                line=(raw.line if raw else line) or None,
            )
        )
        self.group = None

    # -- decoding and problem reporting ----------------------------------------------------

    def _decode(self, raw: RawSegment, position: int) -> Segment:
        tag = _text(raw.tag)
        seg = Segment(tag, [], position, raw.offset, raw.line)
        for e_index, comps in enumerate(raw.elements, start=1):
            seg.elements.append(
                [self._component(c, seg, e_index, i) for i, c in enumerate(comps, start=1)]
            )
        for e_index, occurrences in raw.repetitions.items():
            seg.repetitions[e_index] = [
                [self._component(c, seg, e_index, i) for i, c in enumerate(occ, start=1)]
                for occ in occurrences
            ]
        for note in raw.notes:
            self._note(note, seg)
        return seg

    def _component(self, raw: bytes, seg: Segment, element: int, component: int) -> str:
        text, issue = decode_component(raw, self.charset)
        if issue is not None:
            self._problem(
                self._at(
                    seg,
                    Severity.WARNING,
                    SyntaxErrorCode.INVALID_CHARACTERS,
                    issue,
                    element,
                    component,
                )
            )
        return text

    def _note(self, note: TokenNote, seg: Segment) -> None:
        severity = Severity.WARNING if note.warning else Severity.ERROR
        self._problem(
            self._at(
                seg, severity, note.code, note.message, note.element_index, note.component_index
            )
        )

    def _report(self, raw: RawSegment, code: SyntaxErrorCode, text: str) -> None:
        seg = Segment(_text(raw.tag), [], self.count, raw.offset, raw.line)
        self._problem(self._at(seg, Severity.ERROR, code, text, None, None))

    def _at(
        self,
        seg: Segment,
        severity: Severity,
        code: SyntaxErrorCode,
        text: str,
        element: int | None,
        component: int | None,
    ) -> Problem:
        return Problem(
            severity,
            code,
            text,
            interchange_ref=self.current.control_ref if self.current else None,
            message_ref=self.message.ref if self.message else None,
            group_ref=self.group.ref if self.group else None,
            segment_position=seg.position,
            segment_tag=seg.tag,
            element_index=element,
            component_index=component,
            offset=seg.offset,
            line=seg.line,
        )

    def _problem(self, problem: Problem) -> None:
        if self.current is not None:
            self.current.problems.append(problem)


def _fill_header(inter: Interchange, unb: Segment) -> None:
    inter.header = unb
    inter.syntax_id = unb.value(1, 1)
    version = unb.value(1, 2)
    inter.syntax_version = int(version) if version.isdigit() and len(version) == 1 else 0
    inter.sender_id, inter.sender_qualifier = unb.value(2, 1), unb.value(2, 2)
    inter.recipient_id, inter.recipient_qualifier = unb.value(3, 1), unb.value(3, 2)
    inter.date, inter.time = unb.value(4, 1), unb.value(4, 2)
    inter.control_ref = unb.value(5)
    inter.recipient_password = unb.value(6)
    inter.application_ref = unb.value(7)
    inter.priority = unb.value(8)
    inter.ack_request = unb.value(9)
    inter.agreement_id = unb.value(10)
    inter.test_indicator = unb.value(11)


def _group_from(ung: Segment) -> Group:
    return Group(
        ref=ung.value(5),
        function_id=ung.value(1),
        app_sender=(ung.value(2, 1), ung.value(2, 2)),
        app_recipient=(ung.value(3, 1), ung.value(3, 2)),
        date=ung.value(4, 1),
        time=ung.value(4, 2),
        agency=ung.value(6),
        message_version=tuple(ung.element(7)),
        password=ung.value(8),
        header=ung,
    )
