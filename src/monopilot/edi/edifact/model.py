"""The parsed data model: Segment, Message, Group, Interchange.

Plain dataclasses, no behaviour beyond safe accessors: reading, validation and writing live
in their own modules so the model stays easy to build by hand (the app builds outgoing
messages with :func:`segment` and :class:`Message`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .errors import Problem
from .syntax import ServiceChars


@dataclass(slots=True)
class Segment:
    """One segment. ``elements[i]`` is the list of components of element ``i + 1``.

    In syntax version 4 an element may repeat; ``elements`` then holds the first occurrence
    and ``repetitions[i]`` all occurrences of element ``i + 1`` (only for repeated ones).
    ``position`` counts from UNH = 1 inside a message and from UNB = 1 for envelope
    segments; ``offset``/``line`` locate the segment in the received bytes (0 when built).
    """

    tag: str
    elements: list[list[str]]
    position: int = 0
    offset: int = 0
    line: int = 0
    repetitions: dict[int, list[list[str]]] = field(default_factory=dict)

    def value(self, element: int, component: int = 1) -> str:
        """Component value by 1-based positions, ``""`` when absent."""
        if element < 1 or element > len(self.elements):
            return ""
        comps = self.elements[element - 1]
        if component < 1 or component > len(comps):
            return ""
        return comps[component - 1]

    def element(self, element: int) -> list[str]:
        if element < 1 or element > len(self.elements):
            return []
        return self.elements[element - 1]

    def same_content(self, other: Segment) -> bool:
        """Equality of tag and data, ignoring where the segment was found."""
        return (
            self.tag == other.tag
            and _trim(self.elements) == _trim(other.elements)
            and self.repetitions == other.repetitions
        )


def _trim(elements: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty components/elements: ``A+B::'`` and ``A+B'`` carry the same data."""
    out = [_trim_components(e) for e in elements]
    while out and out[-1] == []:
        out.pop()
    return out


def _trim_components(components: list[str]) -> list[str]:
    comps = list(components)
    while comps and comps[-1] == "":
        comps.pop()
    return comps


def segment(tag: str, *elements: str | Sequence[str]) -> Segment:
    """Convenience constructor: ``segment("QTY", ["21", "48"])`` or ``segment("BGM", "220")``."""
    built = [[e] if isinstance(e, str) else list(e) for e in elements]
    return Segment(tag=tag, elements=built)


@dataclass(slots=True)
class Message:
    """A UNH..UNT message. ``segments`` includes UNH and UNT when parsed; the writer
    regenerates both from the attributes, so hand-built messages may omit them."""

    ref: str
    type: str
    version: str
    release: str
    agency: str
    association: str = ""
    segments: list[Segment] = field(default_factory=list)
    group_ref: str | None = None
    offset: int = 0
    line: int = 0

    @property
    def header(self) -> Segment | None:
        return self.segments[0] if self.segments and self.segments[0].tag == "UNH" else None

    @property
    def trailer(self) -> Segment | None:
        return self.segments[-1] if self.segments and self.segments[-1].tag == "UNT" else None

    @property
    def body(self) -> list[Segment]:
        """Segments between UNH and UNT."""
        return [s for s in self.segments if s.tag not in ("UNH", "UNT")]

    @property
    def identifier(self) -> str:
        """S009 as text, e.g. ``ORDERS:D:96A:UN:EAN008``."""
        parts = [self.type, self.version, self.release, self.agency]
        if self.association:
            parts.append(self.association)
        return ":".join(parts)


@dataclass(slots=True)
class Group:
    """A UNG..UNE functional group."""

    ref: str
    function_id: str = ""
    app_sender: tuple[str, str] = ("", "")
    app_recipient: tuple[str, str] = ("", "")
    date: str = ""
    time: str = ""
    agency: str = ""
    message_version: tuple[str, ...] = ()
    password: str = ""
    messages: list[Message] = field(default_factory=list)
    header: Segment | None = None
    trailer: Segment | None = None


@dataclass(slots=True)
class Interchange:
    """A UNB..UNZ interchange (``header`` is None when the input had no UNB)."""

    syntax_id: str = "UNOC"
    syntax_version: int = 3
    sender_id: str = ""
    sender_qualifier: str = ""
    recipient_id: str = ""
    recipient_qualifier: str = ""
    date: str = ""
    time: str = ""
    control_ref: str = ""
    recipient_password: str = ""
    application_ref: str = ""
    priority: str = ""
    ack_request: str = ""
    agreement_id: str = ""
    test_indicator: str = ""
    messages: list[Message] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    service_chars: ServiceChars = field(default_factory=ServiceChars)
    una: bool = False
    bom: bool = False
    header: Segment | None = None
    trailer: Segment | None = None
    problems: list[Problem] = field(default_factory=list)
    offset: int = 0
    line: int = 0

    @property
    def is_test(self) -> bool:
        return self.test_indicator == "1"

    def all_messages(self) -> Iterator[Message]:
        """Messages directly under UNB and inside groups, in file order of their groups."""
        yield from self.messages
        for group in self.groups:
            yield from group.messages
