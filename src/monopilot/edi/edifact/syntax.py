"""Service characters (UNA) and syntax identifiers / character sets (UNB S001).

Everything here works on single bytes: all supported character sets (ISO 646, ISO 8859-x and
UTF-8) encode the ASCII service characters as one byte that never occurs inside a multi-byte
sequence, so the tokenizer can split raw bytes and decode each component afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import EdifactEncodeError, EdifactError

UNA_LENGTH = 9  # "UNA" + six service characters


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The six UNA positions. ``repetition`` is None when repetition is not in use
    (syntax versions 1-3, where UNA position 5 is reserved and normally a space)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    terminator: str = "'"

    @classmethod
    def default(cls, syntax_version: int = 3) -> ServiceChars:
        return cls(repetition="*") if syntax_version >= 4 else cls()

    @classmethod
    def from_una(cls, six: bytes, syntax_version: int = 3) -> ServiceChars:
        """Build from the six bytes following ``UNA`` (a space release char means none)."""
        if len(six) != 6:
            raise EdifactError("UNA needs exactly six service characters")
        chars = six.decode("latin-1")
        release = None if chars[3] == " " else chars[3]
        repetition = chars[4] if syntax_version >= 4 and chars[4] != " " else None
        return cls(chars[0], chars[1], chars[2], release, repetition, chars[5])

    def with_syntax_version(self, version: int, una_reserved: str | None) -> ServiceChars:
        """Return the set valid for ``version``: the repetition separator only exists in v4."""
        if version < 4:
            return ServiceChars(
                self.component, self.element, self.decimal, self.release, None, self.terminator
            )
        rep = una_reserved if una_reserved not in (None, " ") else "*"
        return ServiceChars(
            self.component, self.element, self.decimal, self.release, rep, self.terminator
        )

    def una(self) -> str:
        """The UNA service string advice for this set (reserved position = space in v1-3)."""
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release or ' '}"
            f"{self.repetition or ' '}{self.terminator}"
        )

    def separators(self) -> str:
        """Characters that must be released when they occur in data."""
        chars = [self.component, self.element, self.terminator]
        if self.repetition:
            chars.append(self.repetition)
        if self.release:
            chars.append(self.release)
        return "".join(chars)

    def is_consistent(self) -> bool:
        """All separators distinct, so a segment can be split unambiguously."""
        seps = [self.component, self.element, self.terminator]
        if self.release:
            seps.append(self.release)
        if self.repetition:
            seps.append(self.repetition)
        ascii_only = all(len(c) == 1 and c.isascii() for c in [*seps, self.decimal])
        return len(set(seps)) == len(seps) and ascii_only


@dataclass(frozen=True, slots=True)
class Charset:
    """How one syntax identifier maps onto a Python codec and a character repertoire."""

    syntax_id: str
    codec: str
    repertoire: re.Pattern[str] | None  # None = everything the codec decodes is allowed
    known: bool = True


# Level A (UNOA): upper case, digits, space and . , - ( ) / = plus the service characters
# and the extra punctuation some tables add. Level B (UNOB) is printable ISO 646.
_UNOA = re.compile(r"[A-Z0-9 .,\-()/='+:?!\"%&*;<>]*")
_UNOB = re.compile(r"[\x20-\x7e]*")

_CODECS: dict[str, tuple[str, re.Pattern[str] | None]] = {
    "UNOA": ("ascii", _UNOA),
    "UNOB": ("ascii", _UNOB),
    "UNOC": ("latin-1", None),
    "UNOD": ("iso8859-2", None),
    "UNOE": ("iso8859-5", None),
    "UNOF": ("iso8859-7", None),
    "UNOG": ("iso8859-3", None),
    "UNOH": ("iso8859-4", None),
    "UNOI": ("iso8859-6", None),
    "UNOJ": ("iso8859-8", None),
    "UNOK": ("iso8859-9", None),
    "UNOW": ("utf-8", None),
    "UNOY": ("utf-8", None),
}


def charset_for(syntax_id: str) -> Charset:
    """Return the charset for a syntax identifier; unknown ids decode losslessly as latin-1
    (every byte maps to a character) and are reported by the envelope validator."""
    entry = _CODECS.get(syntax_id.upper())
    if entry is None:
        return Charset(syntax_id, "latin-1", None, known=False)
    return Charset(syntax_id.upper(), entry[0], entry[1])


def supported_syntax_ids() -> tuple[str, ...]:
    return tuple(_CODECS)


_REPLACEMENT_UTF8 = b"\xef\xbf\xbd"


def decode_component(raw: bytes, charset: Charset) -> tuple[str, str | None]:
    """Decode one component. Returns the text and, if something was off, a warning text.

    Never raises: invalid bytes fall back to UTF-8 (the usual reality: UTF-8 text sent as
    UNOA) and then to the declared codec with replacement characters.
    """
    if raw.isascii():
        text = raw.decode("ascii")
        return text, _repertoire_issue(text, charset)
    if _REPLACEMENT_UTF8 in raw and _is_utf8(raw):
        # Upstream already destroyed characters and re-encoded U+FFFD as UTF-8.
        return raw.decode(
            "utf-8"
        ), "contains U+FFFD replacement characters (data corrupted upstream)"
    try:
        text = raw.decode(charset.codec)
    except UnicodeDecodeError:
        if _is_utf8(raw):
            text = raw.decode("utf-8")
            return text, f"bytes not valid in {charset.syntax_id}; decoded as UTF-8"
        text = raw.decode(charset.codec, errors="replace")
        return text, f"bytes not valid in {charset.syntax_id}; replaced by U+FFFD"
    if "\ufffd" in text:
        return text, "contains U+FFFD replacement characters (data corrupted upstream)"
    return text, _repertoire_issue(text, charset)


_SINGLE_BYTE = frozenset({"ascii", "latin-1"})


def decode_run(raw: bytes, charset: Charset, separators: bytes) -> tuple[str, bool]:
    """Bulk decoding of several segments at once (the reader's fast path).

    Returns the text of the longest prefix of ``raw`` in which every component would come
    out of :func:`decode_component` identically and without a finding, and whether text
    lengths differ from byte lengths (non-ASCII UTF-8). ``separators`` (ASCII) are allowed
    by the repertoire check since they never end up inside a component. The caller splits
    the text and must drop the part after the last terminator: it may be cut short.
    """
    if raw.isascii():
        return _repertoire_prefix(raw.decode("ascii"), charset, separators), False
    bad = raw.find(_REPLACEMENT_UTF8)
    if bad >= 0:
        raw = raw[:bad]
    try:
        text = raw.decode(charset.codec)
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode(charset.codec)
    bad = text.find("\ufffd")
    if bad >= 0:
        text = text[:bad]
    single = charset.codec in _SINGLE_BYTE or charset.codec.startswith("iso8859")
    return _repertoire_prefix(text, charset, separators), not single and not text.isascii()


_OUTSIDE: dict[tuple[str, bytes], re.Pattern[str]] = {}


def _repertoire_prefix(text: str, charset: Charset, separators: bytes) -> str:
    if charset.repertoire is None:
        return text
    key = (charset.repertoire.pattern, separators)
    outside = _OUTSIDE.get(key)
    if outside is None:
        inner = charset.repertoire.pattern
        if not (inner.startswith("[") and inner.endswith("]*")):
            raise EdifactError(f"repertoire {inner!r} is not a character class")
        extra = re.escape(separators.decode("ascii") + "\r\n")
        outside = _OUTSIDE[key] = re.compile(f"[^{inner[1:-2]}{extra}]")
    found = outside.search(text)
    return text if found is None else text[: found.start()]


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _repertoire_issue(text: str, charset: Charset) -> str | None:
    if charset.repertoire is None or charset.repertoire.fullmatch(text):
        return None
    bad = sorted({c for c in text if not charset.repertoire.fullmatch(c)})
    shown = "".join(bad[:10])
    return f"characters outside the {charset.syntax_id} repertoire: {shown!r}"


def encode_text(text: str, charset: Charset) -> bytes:
    """Encode outgoing text strictly: unknown ids, unencodable or off-repertoire characters
    raise, because we never send what the partner's character set cannot carry."""
    if not charset.known:
        raise EdifactEncodeError(f"unsupported syntax identifier {charset.syntax_id!r}")
    if charset.repertoire is not None and not charset.repertoire.fullmatch(text):
        raise EdifactEncodeError(_repertoire_issue(text, charset) or "invalid characters")
    try:
        return text.encode(charset.codec)
    except UnicodeEncodeError as exc:
        raise EdifactEncodeError(f"{text!r} cannot be encoded in {charset.syntax_id}") from exc
