"""Streaming tokenizer: raw bytes in, raw segments out, one at a time.

Why bytes and not text: the character set is only known after UNB, and all supported
character sets keep the (ASCII) service characters as single bytes, so we split first and
decode each component later. Why ``bytes.find`` instead of a char-by-char loop: a 50 MB
interchange must stream in seconds; only segments that contain the release character take
the slow, exact path.

The tokenizer knows just enough about the envelope to pick separators: it reads UNA,
detects separators from a UNA-less UNB, switches on the syntax-4 repetition separator and
resets to the defaults after UNZ (files may concatenate interchanges with different UNAs).

Bulk path: the reader may take whole runs of complete segments straight from the buffer
(:meth:`Tokenizer._window`), decode them in one call and split them as text, instead of one
:class:`RawSegment` per segment. The window stops before anything that needs the exact
per-segment path (release or repetition characters, a BOM); the reader stops at anything
else (service segments other than UNH/UNT, line breaks inside a segment, bytes the charset
does not accept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .errors import EdifactInputError, SyntaxErrorCode
from .syntax import UNA_LENGTH, ServiceChars

DEFAULT_CHUNK_SIZE = 64 * 1024
DEFAULT_MAX_SEGMENT_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b"\r\n \t"
# ISO 9735 level B default separators (IS4 / IS3 / IS1), used without UNA.
_LEVEL_B = ServiceChars(component="\x1f", element="\x1d", release=None, terminator="\x1c")


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


Source = bytes | bytearray | memoryview | _Readable | Iterable[bytes]


@dataclass(slots=True)
class TokenNote:
    """Something the tokenizer noticed; the reader turns it into a Problem."""

    code: SyntaxErrorCode
    message: str
    warning: bool = True
    element_index: int | None = None
    component_index: int | None = None


@dataclass(slots=True)
class RawSegment:
    tag: bytes
    elements: list[list[bytes]]
    offset: int
    line: int
    chars: ServiceChars
    repetitions: dict[int, list[list[bytes]]] = field(default_factory=dict)
    notes: list[TokenNote] = field(default_factory=list)


@dataclass(slots=True)
class ServiceStringAdvice:
    """A UNA header was read (it is not a segment: no position, not counted in UNT)."""

    chars: ServiceChars
    raw: bytes
    offset: int
    line: int


@dataclass(slots=True)
class ByteOrderMark:
    offset: int


Token = RawSegment | ServiceStringAdvice | ByteOrderMark


@dataclass(frozen=True, slots=True)
class ByteForms:
    """Byte forms of a ServiceChars, computed once per set (hot path: every segment)."""

    component: bytes
    element: bytes
    release: bytes | None
    repetition: bytes | None
    terminator: bytes
    special: bytes
    skippable: frozenset[int]
    strip_newlines: bool
    # Bulk path: the window stops at these; None when a separator is not ASCII (then
    # splitting decoded text would not match splitting bytes in every charset).
    window_stops: tuple[bytes, ...] | None
    skip_text: str
    text: tuple[str, str, str]  # terminator, element and component separator as text


_BYTE_FORMS: dict[ServiceChars, ByteForms] = {}


def _byte_form(chars: ServiceChars) -> ByteForms:
    form = _BYTE_FORMS.get(chars)
    if form is None:
        special = chars.separators().encode("latin-1")
        skippable = frozenset(b for b in _WHITESPACE if b not in special)
        stops = tuple(s.encode("latin-1") for s in (chars.release, chars.repetition) if s)
        form = ByteForms(
            chars.component.encode("latin-1"),
            chars.element.encode("latin-1"),
            chars.release.encode("latin-1") if chars.release else None,
            chars.repetition.encode("latin-1") if chars.repetition else None,
            chars.terminator.encode("latin-1"),
            special,
            skippable,
            not any(c in "\r\n" for c in chars.separators()),
            (*stops, _BOM) if special.isascii() else None,
            bytes(sorted(skippable)).decode("latin-1"),
            (chars.terminator, chars.element, chars.component),
        )
        _BYTE_FORMS[chars] = form
    return form


def _chunks(source: Source, chunk_size: int) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield bytes(source)
        return
    if isinstance(source, str):
        raise EdifactInputError("EDIFACT input must be bytes, not str")
    read = getattr(source, "read", None)
    if callable(read):
        while True:
            chunk = read(chunk_size)
            if not chunk:
                return
            if not isinstance(chunk, (bytes, bytearray)):
                raise EdifactInputError("stream must be opened in binary mode")
            yield bytes(chunk)
    try:
        iterator = iter(source)  # type: ignore[arg-type]
    except TypeError as exc:
        raise EdifactInputError(f"cannot read EDIFACT from {type(source).__name__}") from exc
    for chunk in iterator:
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise EdifactInputError("chunks must be bytes")
        yield bytes(chunk)


class Tokenizer:
    """Iterate over :data:`Token` objects from bytes, a binary file or an iterable of chunks."""

    def __init__(
        self,
        source: Source,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
    ) -> None:
        self._chunks = _chunks(source, chunk_size)
        self._max = max_segment_bytes
        self._buf = b""
        self._pos = 0
        self._base = 0  # absolute offset of self._buf[0]
        self._line = 1
        self._line_pos = 0  # buffer index up to which newlines are counted
        self._eof = False
        self._chars = ServiceChars()
        self._bytes = _byte_form(self._chars)
        self._una: ServiceStringAdvice | None = None  # UNA of the current interchange

    def _set_chars(self, chars: ServiceChars) -> None:
        self._chars = chars
        self._bytes = _byte_form(chars)

    def __iter__(self) -> Iterator[Token]:
        return self._run(None)

    def _run(self, bulk: Callable[[Tokenizer], int] | None) -> Iterator[Token]:
        """The token loop. ``bulk`` (the reader's) may consume complete segments at the read
        position first and returns how many bytes it took (0: take the exact path)."""
        while True:
            self._skip_whitespace()
            if self._pos >= len(self._buf) and not self._fill():
                return
            if bulk is not None:
                taken = bulk(self)
                if taken:
                    self._pos += taken
                    continue
            if self._buf.startswith(_BOM, self._pos):
                yield ByteOrderMark(self._base + self._pos)
                self._pos += len(_BOM)
                continue
            if self._buf.startswith(b"UNA", self._pos):
                advice = self._read_una()
                if advice is not None:
                    yield advice
                    continue
            token = self._next_segment()
            if token is None:
                return
            yield token

    # -- buffer management ---------------------------------------------------------------

    def _fill(self) -> bool:
        """Append the next chunk, compacting consumed bytes. False at end of input."""
        if self._eof:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            return False
        self._count_lines(self._pos)
        self._base += self._pos
        self._line_pos -= self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def _count_lines(self, upto: int) -> None:
        if upto > self._line_pos:
            self._line += self._buf.count(b"\n", self._line_pos, upto)
            self._line_pos = upto

    def _skip_whitespace(self) -> None:
        skippable = self._bytes.skippable
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in skippable:
                pos += 1
            self._pos = pos
            if pos < len(buf) or not self._fill():
                return

    def _window(self, size: int) -> tuple[bytes, int, int, ByteForms] | None:
        """Complete segments at the read position for the bulk path: (bytes up to and
        including the last terminator of the window, absolute offset, line, byte forms).

        No fill happens here, so the buffer evolves exactly as on the per-segment path; the
        window ends before any release/repetition character or BOM, so every terminator in
        it is a real one and no segment in it starts with a BOM.
        """
        form = self._bytes
        if form.window_stops is None:
            return None
        buf, pos = self._buf, self._pos
        stop = min(len(buf), pos + size)
        for needle in form.window_stops:
            found = buf.find(needle, pos, stop)
            if found >= 0:
                stop = found
        end = buf.rfind(form.terminator, pos, stop)
        if end < 0:
            return None
        self._count_lines(pos)
        return buf[pos : end + 1], self._base + pos, self._line, form

    # -- UNA / segments ----------------------------------------------------------------

    def _read_una(self) -> ServiceStringAdvice | None:
        while len(self._buf) - self._pos < UNA_LENGTH and self._fill():
            pass
        raw = self._buf[self._pos : self._pos + UNA_LENGTH]
        if len(raw) < UNA_LENGTH:
            return None  # too short to be UNA: let the segment path report it
        self._count_lines(self._pos)
        chars = ServiceChars.from_una(raw[3:], syntax_version=4)
        advice = ServiceStringAdvice(chars, raw, self._base + self._pos, self._line)
        self._pos += UNA_LENGTH
        self._una = advice
        # Until UNB tells us the syntax version, treat position 5 as reserved (v3 rules).
        self._set_chars(chars.with_syntax_version(3, None))
        return advice

    def _next_segment(self) -> RawSegment | None:
        notes: list[TokenNote] = []
        self._detect_unb_separators()
        start = self._pos
        end = self._find_terminator(start)
        while end < 0:
            if len(self._buf) - self._pos > self._max:
                raise EdifactInputError(
                    f"segment at byte {self._base + start} exceeds {self._max} bytes "
                    "without a segment terminator"
                )
            if not self._fill():
                break
            start = self._pos
            end = self._find_terminator(start)
        if end < 0:
            end = len(self._buf)
            notes.append(TokenNote(SyntaxErrorCode.UNSPECIFIED, "last segment not terminated"))
            next_pos = end
        else:
            next_pos = end + 1
        body = self._buf[start:end]
        self._count_lines(start)
        offset, line = self._base + start, self._line
        self._pos = next_pos
        return self._split(body, offset, line, notes)

    def _detect_unb_separators(self) -> None:
        """Without UNA, take separators from UNB itself (char after ``UNB`` and after the
        four-letter syntax identifier), which is what real files rely on."""
        if self._una is not None or not self._buf.startswith(b"UNB", self._pos):
            return
        while len(self._buf) - self._pos < 9 and self._fill():
            pass
        head = self._buf[self._pos : self._pos + 9]
        if len(head) < 4:
            return
        if head[3:4] == b"\x1d":
            self._set_chars(_LEVEL_B)
            return
        element = chr(head[3])
        component = chr(head[8]) if len(head) == 9 else ":"
        if not _is_separator_candidate(element):
            return
        if component == element or not _is_separator_candidate(component):
            component = ":"
        self._set_chars(ServiceChars(component=component, element=element))

    def _find_terminator(self, start: int) -> int:
        term, release = self._bytes.terminator, self._bytes.release
        buf, i = self._buf, start
        while True:
            j = buf.find(term, i)
            if j < 0 or release is None:
                return j
            k = j
            while k > start and buf[k - 1 : k] == release:
                k -= 1
            if (j - k) % 2 == 0:  # an even run of release chars releases only themselves
                return j
            i = j + 1

    def _split(self, body: bytes, offset: int, line: int, notes: list[TokenNote]) -> RawSegment:
        chars, form = self._chars, self._bytes
        if form.strip_newlines and (b"\n" in body or b"\r" in body):
            body = body.replace(b"\r", b"").replace(b"\n", b"")
            notes.append(
                TokenNote(SyntaxErrorCode.INVALID_CHARACTERS, "line break inside segment removed")
            )
        if form.release is not None and form.release in body:
            elements = _split_released(body, chars, form, notes)
        else:
            elements = _split_plain(body, form)
        tag_comps = elements[0][0] if elements and elements[0] else [b""]
        tag = tag_comps[0]
        raw = RawSegment(tag, [], offset, line, chars, notes=notes)
        for index, occurrences in enumerate(elements[1:], start=1):
            raw.elements.append(occurrences[0])
            if len(occurrences) > 1:
                raw.repetitions[index] = occurrences
        self._after_segment(raw)
        return raw

    def _after_segment(self, raw: RawSegment) -> None:
        if raw.tag == b"UNB":
            version = raw.elements[0][1] if raw.elements and len(raw.elements[0]) > 1 else b""
            syntax = int(version) if version.isdigit() and len(version) == 1 else 3
            reserved = self._una.raw[7:8].decode("latin-1") if self._una else None
            self._set_chars(self._chars.with_syntax_version(syntax, reserved))
            raw.chars = self._chars  # the interchange's set, incl. the v4 repetition separator
        elif raw.tag == b"UNZ":
            self._set_chars(ServiceChars())
            self._una = None


def _is_separator_candidate(char: str) -> bool:
    return not char.isalnum() and char not in " \r\n\t"


# Each element is a list of repetitions, each repetition a list of components.
_Split = list[list[list[bytes]]]


def _split_plain(body: bytes, form: ByteForms) -> _Split:
    comp, rep = form.component, form.repetition
    if rep is None:
        return [[element.split(comp)] for element in body.split(form.element)]
    return [[occ.split(comp) for occ in element.split(rep)] for element in body.split(form.element)]


_SPLITTERS: dict[ServiceChars, re.Pattern[bytes]] = {}


def _splitter(chars: ServiceChars) -> re.Pattern[bytes]:
    pattern = _SPLITTERS.get(chars)
    if pattern is None:
        rel = re.escape(chars.release or "").encode("latin-1")
        seps = "".join(
            re.escape(c) for c in (chars.component, chars.element, chars.repetition or "")
        )
        pattern = re.compile(rel + b"(.)|([" + seps.encode("latin-1") + b"])", re.DOTALL)
        _SPLITTERS[chars] = pattern
    return pattern


def _split_released(
    body: bytes, chars: ServiceChars, form: ByteForms, notes: list[TokenNote]
) -> _Split:
    """Exact split honouring the release character (``??'`` ends a segment, ``?:`` is data)."""
    special, element_b, comp_b = form.special, form.element, form.component
    out: _Split = [[[]]]
    piece = bytearray()
    last = 0
    for match in _splitter(chars).finditer(body):
        piece += body[last : match.start()]
        last = match.end()
        released = match.group(1)
        if released is not None:
            if released not in special:
                notes.append(_released_note(released, len(out) - 1, len(out[-1][-1]) + 1))
            piece += released
            continue
        out[-1][-1].append(bytes(piece))
        piece.clear()
        sep = match.group(2)
        if sep == element_b:
            out.append([[]])
        elif sep == comp_b:
            continue
        else:
            out[-1].append([])
    piece += body[last:]
    release = form.release or b""
    if release and body.endswith(release) and _odd_trailing_release(body, release):
        notes.append(TokenNote(SyntaxErrorCode.INVALID_SERVICE_CHARACTER, "dangling release"))
        piece = piece[:-1]
    out[-1][-1].append(bytes(piece))
    return out


def _released_note(char: bytes, element: int, component: int) -> TokenNote:
    shown = char.decode("latin-1")
    return TokenNote(
        SyntaxErrorCode.INVALID_SERVICE_CHARACTER,
        f"release character before non-service character {shown!r}",
        element_index=element,
        component_index=component,
    )


def _odd_trailing_release(body: bytes, release: bytes) -> bool:
    run = len(body) - len(body.rstrip(release))
    return run % 2 == 1
