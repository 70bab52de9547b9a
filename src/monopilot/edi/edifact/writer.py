"""Writer: deterministic bytes from the model, with every count and reference computed.

Strict in what we send: the caller's counts are ignored (UNT/UNE/UNZ are recomputed), the
envelope is rebuilt from the Interchange attributes, and text that the partner's character
set cannot carry raises EdifactEncodeError instead of being silently mangled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import EdifactEncodeError
from .model import Group, Interchange, Message, Segment
from .syntax import Charset, ServiceChars, charset_for, encode_text


@dataclass(frozen=True, slots=True)
class WriterOptions:
    """Per-partner output choices.

    ``una``: ``"auto"`` emits UNA only when the service characters differ from the
    defaults of the syntax version, ``"always"`` / ``"never"`` force it (``"never"`` with
    non-default characters raises). ``newline`` puts ``\\n`` after each terminator
    (tolerated by most partners, convenient for humans; off by default).
    """

    syntax_id: str = "UNOC"
    syntax_version: int = 3
    service_chars: ServiceChars | None = None
    una: str = "auto"
    newline: bool = False
    extra_unb_elements: tuple[str, ...] = field(default=())

    def chars(self) -> ServiceChars:
        base = self.service_chars or ServiceChars.default(self.syntax_version)
        reserved = base.repetition if self.syntax_version >= 4 else None
        return base.with_syntax_version(self.syntax_version, reserved)


def write_interchange(interchange: Interchange, options: WriterOptions | None = None) -> bytes:
    """Serialise one interchange. Syntax id/version come from ``options`` (the partner
    profile), not from the Interchange, so a parsed interchange can be re-sent as UNOC:3."""
    opts = options or WriterOptions()
    if opts.syntax_version not in (1, 2, 3, 4):
        raise EdifactEncodeError(f"unsupported syntax version {opts.syntax_version}")
    chars = opts.chars()
    if not chars.is_consistent():
        raise EdifactEncodeError("service characters must be distinct single characters")
    out = _Output(chars, charset_for(opts.syntax_id), opts.newline)
    _write_una(out, chars, opts)
    out.segment(_unb(interchange, opts))
    if interchange.groups and interchange.messages:
        raise EdifactEncodeError("an interchange holds either messages or groups, not both")
    for group in interchange.groups:
        _write_group(out, group)
    for message in interchange.messages:
        _write_message(out, message)
    count = len(interchange.groups) or len(interchange.messages)
    out.segment(Segment("UNZ", [[str(count)], [_required(interchange.control_ref, "UNB 0020")]]))
    return out.bytes()


def write_message(message: Message, options: WriterOptions | None = None) -> bytes:
    """Serialise a single message without envelope (for storage or previews)."""
    opts = options or WriterOptions()
    out = _Output(opts.chars(), charset_for(opts.syntax_id), opts.newline)
    _write_message(out, message)
    return out.bytes()


def escape(text: str, chars: ServiceChars) -> str:
    """Release every service character in ``text`` (the release character first)."""
    special = chars.separators()
    if not any(c in text for c in special):
        return text
    if chars.release is None:
        raise EdifactEncodeError(f"{text!r} contains a separator and no release char is set")
    release = chars.release
    return "".join(release + c if c in special else c for c in text)


class _Output:
    def __init__(self, chars: ServiceChars, charset: Charset, newline: bool) -> None:
        self.chars = chars
        self.charset = charset
        self.end = chars.terminator + ("\n" if newline else "")
        self.parts: list[bytes] = []

    def raw(self, text: str) -> None:
        self.parts.append(text.encode("ascii"))

    def segment(self, seg: Segment) -> None:
        try:
            self.parts.append(encode_text(render_segment(seg, self.chars) + self.end, self.charset))
        except EdifactEncodeError as exc:
            raise EdifactEncodeError(f"segment {seg.tag}: {exc}") from exc

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def render_segment(seg: Segment, chars: ServiceChars) -> str:
    """One segment as text without terminator; trailing empty elements/components dropped."""
    elements: list[str] = []
    for index, components in enumerate(seg.elements, start=1):
        occurrences = seg.repetitions.get(index, [components])
        if len(occurrences) > 1 and chars.repetition is None:
            raise EdifactEncodeError("repeated element needs syntax version 4")
        rendered = [_render_components(occ, chars) for occ in occurrences]
        elements.append((chars.repetition or "").join(rendered))
    while elements and elements[-1] == "":
        elements.pop()
    return chars.element.join([seg.tag, *elements])


def _render_components(components: Iterable[str], chars: ServiceChars) -> str:
    parts = [escape(c, chars) for c in components]
    while parts and parts[-1] == "":
        parts.pop()
    return chars.component.join(parts)


def _write_una(out: _Output, chars: ServiceChars, opts: WriterOptions) -> None:
    non_default = chars != ServiceChars.default(opts.syntax_version)
    if opts.una == "never" and non_default:
        raise EdifactEncodeError("non-default service characters require UNA")
    if opts.una == "always" or (opts.una == "auto" and non_default):
        out.raw(chars.una() + ("\n" if opts.newline else ""))


def _unb(inter: Interchange, opts: WriterOptions) -> Segment:
    elements = [
        [opts.syntax_id, str(opts.syntax_version), *opts.extra_unb_elements],
        [_required(inter.sender_id, "UNB sender"), inter.sender_qualifier],
        [_required(inter.recipient_id, "UNB recipient"), inter.recipient_qualifier],
        [_required(inter.date, "UNB date"), _required(inter.time, "UNB time")],
        [_required(inter.control_ref, "UNB 0020")],
        [inter.recipient_password],
        [inter.application_ref],
        [inter.priority],
        [inter.ack_request],
        [inter.agreement_id],
        [inter.test_indicator],
    ]
    return Segment("UNB", elements)


def _write_group(out: _Output, group: Group) -> None:
    ref = _required(group.ref, "UNG 0048")
    out.segment(
        Segment(
            "UNG",
            [
                [group.function_id],
                list(group.app_sender),
                list(group.app_recipient),
                [group.date, group.time],
                [ref],
                [group.agency],
                list(group.message_version),
                [group.password],
            ],
        )
    )
    for message in group.messages:
        _write_message(out, message)
    out.segment(Segment("UNE", [[str(len(group.messages))], [ref]]))


def _write_message(out: _Output, message: Message) -> None:
    ref = _required(message.ref, "UNH 0062")
    s009 = [message.type, message.version, message.release, message.agency]
    if message.association:
        s009.append(message.association)
    extra = message.header.elements[2:] if message.header else []
    out.segment(Segment("UNH", [[ref], s009, *extra]))
    body = message.body
    for seg in body:
        out.segment(seg)
    out.segment(Segment("UNT", [[str(len(body) + 2)], [ref]]))


def _required(value: str, what: str) -> str:
    if not value:
        raise EdifactEncodeError(f"{what} is required")
    return value
