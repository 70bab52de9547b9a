"""Structure validation of one message against a MessageSpec.

Matching walks the segment-group tree forward only, like the EDIFACT branching diagram
reads: a segment either fits at or after the current position of the innermost level, or
belongs to an enclosing level (which may start a new repetition of the group). A segment no
level can take is reported once, where it occurs, and skipped, so one misplaced segment does
not cascade into a page of follow-up errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem, Severity, SyntaxErrorCode
from .model import Message, Segment
from .spec import ElementSpec, GroupUsage, MessageSpec, Node, SegmentUsage, ValueSpec

_ENVELOPE = ("UNH", "UNT")
E = SyntaxErrorCode


@dataclass(slots=True)
class _Level:
    items: tuple[Node, ...]
    where: dict[str, tuple[int, ...]]  # trigger tag -> indexes in items (see _level_items)
    index: int = 0
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.items)

    def find(self, tag: str) -> int | None:
        """First item at or after the current one that ``tag`` triggers."""
        for k in self.where.get(tag, ()):
            if k >= self.index:
                return k
        return None


# Per spec node (a group, or a spec's structure): the items of the level it opens and where
# each trigger tag occurs, computed once (hot path: every segment of every message). The
# owner is kept in the value so its id cannot be reused while cached.
_CACHE_LIMIT = 10_000
_LEVELS: dict[int, tuple[object, tuple[Node, ...], dict[str, tuple[int, ...]]]] = {}
_TAGS: dict[int, tuple[object, frozenset[str]]] = {}


def _level_items(
    owner: GroupUsage | tuple[Node, ...],
) -> tuple[tuple[Node, ...], dict[str, tuple[int, ...]]]:
    entry = _LEVELS.get(id(owner))
    if entry is None:
        if len(_LEVELS) > _CACHE_LIMIT:  # specs built ad hoc (tests, custom registries)
            _LEVELS.clear()
        if isinstance(owner, GroupUsage):
            items = owner.items[1:]
        else:
            items = tuple(n for n in owner if n.trigger not in _ENVELOPE)
        where: dict[str, list[int]] = {}
        for k, node in enumerate(items):
            where.setdefault(node.trigger, []).append(k)
        entry = _LEVELS[id(owner)] = (owner, items, {t: tuple(ks) for t, ks in where.items()})
    return entry[1], entry[2]


def _known_tags(structure: tuple[Node, ...]) -> frozenset[str]:
    entry = _TAGS.get(id(structure))
    if entry is None:
        if len(_TAGS) > _CACHE_LIMIT:
            _TAGS.clear()
        entry = _TAGS[id(structure)] = (structure, _all_tags(structure))
    return entry[1]


class StructureValidator:
    def __init__(self, message: Message, spec: MessageSpec, interchange_ref: str | None) -> None:
        self.message = message
        self.spec = spec
        self.interchange_ref = interchange_ref
        self.problems: list[Problem] = []
        self.segments = message.segments
        self.cursor = 0
        self.stack: list[_Level] = []
        self.known_tags = _known_tags(spec.structure)

    def run(self) -> list[Problem]:
        for seg in self.segments:
            if seg.tag in _ENVELOPE:
                self._check_elements(seg, None)
        self.segments = [s for s in self.segments if s.tag not in _ENVELOPE]
        self._walk(self.spec.structure)  # the top level never breaks out: all is consumed
        return self.problems

    # -- tree walk ------------------------------------------------------------------------

    def _walk(self, owner: GroupUsage | tuple[Node, ...]) -> None:
        items, where = _level_items(owner)
        level = _Level(items, where)
        self.stack.append(level)
        segments = self.segments
        total = len(segments)
        while self.cursor < total:  # the cursor moves in _consume (and nested walks)
            seg = segments[self.cursor]
            k = level.find(seg.tag)
            if k is None:
                if any(outer.find(seg.tag) is not None for outer in self.stack[:-1]):
                    break
                self._unexpected(seg)
                self.cursor += 1
                continue
            self._missing(level, k, seg)
            level.index = k
            level.counts[k] += 1
            self._consume(items[k], level.counts[k], seg)
        self._missing(level, len(items), self._here())
        self.stack.pop()

    def _consume(self, node: Node, count: int, seg: Segment) -> None:
        self.cursor += 1
        if isinstance(node, SegmentUsage):
            if count > node.max_repeats:
                self._add(
                    seg,
                    E.TOO_MANY_REPETITIONS,
                    f"segment {seg.tag} repeated more than {node.max_repeats} times",
                )
            self._check_elements(seg, node)
            return
        if count > node.max_repeats:
            self._add(
                seg,
                E.TOO_MANY_GROUP_REPETITIONS,
                f"segment group {node.name} repeated more than {node.max_repeats} times",
            )
        trigger = node.items[0]
        assert isinstance(trigger, SegmentUsage)
        self._check_elements(seg, trigger)
        self._walk(node)

    def _missing(self, level: _Level, upto: int, seg: Segment) -> None:
        for k in range(level.index, upto):
            node = level.items[k]
            if node.mandatory and level.counts[k] == 0:
                what = (
                    f"segment group {node.name} ({node.trigger})"
                    if isinstance(node, GroupUsage)
                    else f"segment {node.tag}"
                )
                self._add(
                    seg, E.MISSING, f"mandatory {what} missing before {seg.tag}", tag=node.trigger
                )

    def _unexpected(self, seg: Segment) -> None:
        if seg.tag in self.known_tags:
            text = f"segment {seg.tag} not allowed in this position (wrong order or context)"
        else:
            text = f"segment {seg.tag} is not part of {self.spec.message_type} {self.spec.name}"
        self._add(seg, E.NOT_SUPPORTED_IN_POSITION, text)

    def _here(self) -> Segment:
        if self.cursor < len(self.segments):
            return self.segments[self.cursor]
        trailer = self.message.trailer
        if trailer is not None:
            return trailer
        return self.message.segments[-1] if self.message.segments else Segment("UNT", [])

    # -- element level --------------------------------------------------------------------

    def _check_elements(self, seg: Segment, usage: SegmentUsage | None) -> None:
        spec = self.spec.segments.get(seg.tag)
        if spec is None:
            return
        elements, repetitions = seg.elements, seg.repetitions
        present = len(elements)
        if present > len(spec.elements):
            extra = len(spec.elements) + 1
            self._add(
                seg,
                E.TOO_MANY_CONSTITUENTS,
                f"{seg.tag} has {present} data elements, at most {len(spec.elements)} allowed",
                element=extra,
            )
        for index, element in enumerate(spec.elements, start=1):
            occurrences = repetitions.get(index) if repetitions else None
            if occurrences is None:
                if index > present and not element.mandatory:
                    continue  # absent and optional: nothing to check
                occurrences = [elements[index - 1]] if index <= present else [[]]
            if len(occurrences) > element.max_repeats:
                self._add(
                    seg,
                    E.TOO_MANY_REPETITIONS,
                    f"{element.id} repeated {len(occurrences)} times",
                    element=index,
                )
            for components in occurrences:
                self._check_element(seg, index, element, components)
        if usage is not None:
            self._check_codes(seg, usage)

    def _check_element(self, seg: Segment, index: int, spec: ElementSpec, comps: list[str]) -> None:
        if not any(comps):
            if spec.mandatory:
                self._add(
                    seg, E.MISSING, f"mandatory data element {spec.id} missing", element=index
                )
            return
        specs = spec.components
        if not spec.composite and len(comps) == 1:  # a simple element: most of them
            self._check_simple(seg, index, specs[0], comps[0])
            return
        if len(comps) > len(specs):
            where = len(specs) + 1
            self._add(
                seg,
                E.TOO_MANY_CONSTITUENTS,
                f"{spec.id} has {len(comps)} components, at most {len(specs)} "
                "allowed (unreleased separator in data?)",
                element=index,
                component=where,
            )
        composite = spec.composite
        for c_index, (value_spec, value) in enumerate(zip(specs, comps, strict=False), 1):
            if value:  # _check_value inlined: this runs for every component received
                size = len(value)
                if value_spec.min_length <= size <= value_spec.max_length and (
                    value_spec.kind == "an"
                    or (value_spec.kind == "n" and value.isascii() and value.isdigit())
                ):
                    continue  # what format_problem would accept, without the call
                found = format_problem(value, value_spec)
                if found is not None:
                    self._add(
                        seg,
                        found[0],
                        f"{value_spec.id} {found[1]}",
                        element=index,
                        component=c_index if composite else None,
                    )
            elif composite and value_spec.mandatory:
                self._check_value(seg, index, c_index, value_spec, value)
        if not composite or len(comps) >= len(specs):
            return  # nothing can be missing after the last component received
        for c_index in range(len(comps) + 1, len(specs) + 1):
            value_spec = specs[c_index - 1]
            if value_spec.mandatory:
                self._add(
                    seg,
                    E.MISSING,
                    f"mandatory component {value_spec.id} missing",
                    element=index,
                    component=c_index,
                )

    def _check_simple(self, seg: Segment, index: int, spec: ValueSpec, value: str) -> None:
        """The component loop of _check_element for one non-empty simple value."""
        if spec.min_length <= len(value) <= spec.max_length and (
            spec.kind == "an" or (spec.kind == "n" and value.isascii() and value.isdigit())
        ):
            return
        found = format_problem(value, spec)
        if found is not None:
            self._add(seg, found[0], f"{spec.id} {found[1]}", element=index)

    def _check_value(
        self, seg: Segment, element: int, component: int | None, spec: ValueSpec, value: str
    ) -> None:
        if value == "":
            if spec.mandatory and component is not None:
                self._add(
                    seg,
                    E.MISSING,
                    f"mandatory component {spec.id} missing",
                    element=element,
                    component=component,
                )
            return
        found = format_problem(value, spec)
        if found is not None:
            self._add(seg, found[0], f"{spec.id} {found[1]}", element=element, component=component)

    def _check_codes(self, seg: Segment, usage: SegmentUsage) -> None:
        for element, component in usage.required:
            if seg.value(element, component) == "":
                self._add(
                    seg,
                    E.MISSING,
                    f"{seg.tag} {element}.{component} is required here",
                    element=element,
                    component=component,
                )
        for element, component, codes in usage.codes:
            value = seg.value(element, component)
            if value == "" or value in codes.values:
                continue
            severity = Severity.ERROR if codes.strict else Severity.WARNING
            self._add(
                seg,
                E.INVALID_VALUE,
                f"code {value!r} not allowed in {seg.tag} {element}.{component}",
                element=element,
                component=component,
                severity=severity,
            )

    def _add(
        self,
        seg: Segment,
        code: SyntaxErrorCode,
        text: str,
        *,
        element: int | None = None,
        component: int | None = None,
        severity: Severity = Severity.ERROR,
        tag: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                severity,
                code,
                text,
                interchange_ref=self.interchange_ref,
                group_ref=self.message.group_ref,
                message_ref=self.message.ref,
                segment_position=seg.position,
                segment_tag=tag or seg.tag,
                element_index=element,
                component_index=component,
                offset=seg.offset,
                line=seg.line or None,
            )
        )


def format_problem(value: str, spec: ValueSpec) -> tuple[SyntaxErrorCode, str] | None:
    """Check type and length of a non-empty value (numeric length excludes sign and mark)."""
    if spec.kind == "n":
        digits = value[1:] if value.startswith("-") else value
        for mark in ".,":
            if digits.count(mark) == 1:
                digits = digits.replace(mark, "")
                break
        if not (digits.isascii() and digits.isdigit()):
            return E.INVALID_TYPE_OF_CHARACTERS, f"must be numeric, got {value!r}"
        length = len(digits)
    else:
        if spec.kind == "a" and any(ch.isdigit() for ch in value):
            return E.INVALID_TYPE_OF_CHARACTERS, f"must be alphabetic, got {value!r}"
        length = len(value)
    if length > spec.max_length:
        return E.DATA_ELEMENT_TOO_LONG, f"too long ({length} > {spec.max_length})"
    if length < spec.min_length:
        return E.DATA_ELEMENT_TOO_SHORT, f"too short ({length} < {spec.min_length})"
    return None


def _all_tags(items: tuple[Node, ...]) -> frozenset[str]:
    tags: set[str] = set()
    for node in items:
        if isinstance(node, SegmentUsage):
            tags.add(node.tag)
        else:
            tags |= _all_tags(node.items)
    return frozenset(tags)


def validate_structure(
    message: Message, spec: MessageSpec, interchange_ref: str | None = None
) -> list[Problem]:
    return StructureValidator(message, spec, interchange_ref).run()
