"""Message specifications as data: typed model + loader for the JSON spec files.

A spec file describes one message type (for one or more versions): the segment-group tree
with status/repeats and message-specific code lists. Segment layouts (elements, components,
formats) come from shared *directory* files, so a new message type is a new JSON file.

Compact notations used in the JSON (mirroring how the UN/EDIFACT directories print them):

* structure entry: ``"DTM M 35"`` (tag, status M/C, max repeats) or an object
  ``{"seg": "BGM", "st": "M", "rep": 1, "codes": {"1.1": [...]}, "advisory": {...}}``;
  a group is ``{"group": "SG2", "st": "C", "rep": 99, "items": [...]}`` whose first item is
  the trigger segment. Code keys are ``"element.component"`` (1-based).
* directory element: ``"1004:C:an..35"`` or a composite
  ``"C507:M(2005:M:an..3,2380:C:an..35,2379:C:an..3)"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import EdifactSpecError

DEFAULT_SPEC_DIR = Path(__file__).resolve().parent.parent / "eancom" / "specs"

_FORMAT = re.compile(r"^(an|a|n)(\.\.)?(\d+)$")
_SIMPLE = re.compile(r"^(\w+):([MC]):(\w+\.?\.?\d+)$")
_COMPOSITE = re.compile(r"^(\w+):([MC])\((.*)\)$")


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """Format of one simple data element or component: ``an..35``, ``n3``, ``a1``."""

    id: str
    mandatory: bool
    kind: str  # "a", "n" or "an"
    min_length: int
    max_length: int


@dataclass(frozen=True, slots=True)
class ElementSpec:
    id: str
    mandatory: bool
    components: tuple[ValueSpec, ...]  # one entry for a simple element
    composite: bool
    max_repeats: int = 1


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    tag: str
    elements: tuple[ElementSpec, ...]


@dataclass(frozen=True, slots=True)
class CodeList:
    values: frozenset[str]
    strict: bool  # strict: unknown value is an error (0085 = 12); otherwise a warning


@dataclass(frozen=True, slots=True)
class SegmentUsage:
    tag: str
    mandatory: bool
    max_repeats: int
    codes: tuple[tuple[int, int, CodeList], ...] = ()
    required: tuple[tuple[int, int], ...] = ()  # subset rules: conditional made mandatory

    @property
    def trigger(self) -> str:
        return self.tag


@dataclass(frozen=True, slots=True)
class GroupUsage:
    name: str
    mandatory: bool
    max_repeats: int
    items: tuple[SegmentUsage | GroupUsage, ...]

    @property
    def trigger(self) -> str:
        return self.items[0].trigger


Node = SegmentUsage | GroupUsage


@dataclass(frozen=True, slots=True)
class MessageSpec:
    message_type: str
    versions: tuple[str, ...]  # normalised, e.g. ("D96A",)
    associations: frozenset[str]
    structure: tuple[Node, ...]
    segments: dict[str, SegmentSpec]
    name: str = ""

    def segment(self, tag: str) -> SegmentSpec | None:
        return self.segments.get(tag)


def normalise_version(version: str, release: str = "") -> str:
    """``"D", "96A"`` / ``"D.96A"`` / ``"D:96A"`` → ``"D96A"``; ``"2", "2"`` → ``"22"``."""
    return re.sub(r"[^0-9A-Za-z]", "", version + release).upper()


# -- parsing the notations -----------------------------------------------------------------


def _value(text: str) -> ValueSpec:
    match = _SIMPLE.match(text.strip())
    if not match:
        raise EdifactSpecError(f"bad element notation {text!r}")
    ident, status, fmt = match.groups()
    fmatch = _FORMAT.match(fmt)
    if not fmatch:
        raise EdifactSpecError(f"bad format {fmt!r} in {text!r}")
    kind, dots, length = fmatch.groups()
    size = int(length)
    return ValueSpec(ident, status == "M", kind, 0 if dots else size, size)


def _element(text: str) -> ElementSpec:
    text = text.strip()
    repeats = 1
    if "*" in text:
        text, _, count = text.rpartition("*")
        repeats = int(count)
    match = _COMPOSITE.match(text)
    if match:
        ident, status, inner = match.groups()
        comps = tuple(_value(part) for part in inner.split(","))
        return ElementSpec(ident, status == "M", comps, True, repeats)
    value = _value(text)
    return ElementSpec(value.id, value.mandatory, (value,), False, repeats)


def _codes(raw: dict[str, list[str]], strict: bool) -> list[tuple[int, int, CodeList]]:
    return [(*_position(key), CodeList(frozenset(values), strict)) for key, values in raw.items()]


def _node(raw: Any) -> Node:
    if isinstance(raw, str):
        parts = raw.split()
        if len(parts) != 3:
            raise EdifactSpecError(f"bad structure entry {raw!r}")
        return SegmentUsage(parts[0], parts[1] == "M", int(parts[2]))
    if "group" in raw:
        items = tuple(_node(item) for item in raw["items"])
        if not items or not isinstance(items[0], SegmentUsage):
            raise EdifactSpecError(f"group {raw['group']} must start with a segment")
        return GroupUsage(raw["group"], raw["st"] == "M", int(raw["rep"]), items)
    codes = _codes(raw.get("codes", {}), True) + _codes(raw.get("advisory", {}), False)
    required = tuple(_position(key) for key in raw.get("required", []))
    return SegmentUsage(raw["seg"], raw["st"] == "M", int(raw["rep"]), tuple(codes), required)


def _position(key: str) -> tuple[int, int]:
    element, _, component = key.partition(".")
    return int(element), int(component or 1)


# -- loading files ------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EdifactSpecError(f"cannot read spec file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EdifactSpecError(f"{path}: top level must be an object")
    return data


def load_directory(spec_dir: Path, name: str) -> dict[str, SegmentSpec]:
    """Segment layouts of one directory file, following its ``inherit`` chain."""
    data = _read_json(spec_dir / f"segments_{name}.json")
    segments = load_directory(spec_dir, data["inherit"]) if data.get("inherit") else {}
    for tag, elements in data["segments"].items():
        segments[tag] = SegmentSpec(tag, tuple(_element(e) for e in elements))
    return segments


def load_message_file(path: Path) -> MessageSpec:
    data = _read_json(path)
    try:
        segments: dict[str, SegmentSpec] = {}
        for directory in data["directories"]:
            segments.update(load_directory(path.parent, directory))
        return MessageSpec(
            message_type=data["message"],
            versions=tuple(normalise_version(v) for v in data["versions"]),
            associations=frozenset(data.get("associations", [])),
            structure=tuple(_node(item) for item in data["structure"]),
            segments=segments,
            name=path.stem,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EdifactSpecError(f"{path}: malformed spec ({exc})") from exc


class SpecRegistry:
    """All message specs of a directory, looked up by type and normalised version."""

    def __init__(self, specs: list[MessageSpec]) -> None:
        self._specs: dict[tuple[str, str], MessageSpec] = {}
        for spec in specs:
            for version in spec.versions:
                self._specs[(spec.message_type, version)] = spec

    @classmethod
    def from_directory(cls, spec_dir: Path = DEFAULT_SPEC_DIR) -> SpecRegistry:
        files = sorted(spec_dir.glob("*.json"))
        return cls([load_message_file(p) for p in files if not p.name.startswith("segments_")])

    def get(self, message_type: str, version: str, release: str = "") -> MessageSpec | None:
        return self._specs.get((message_type.upper(), normalise_version(version, release)))

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._specs)


@lru_cache(maxsize=1)
def default_registry() -> SpecRegistry:
    return SpecRegistry.from_directory(DEFAULT_SPEC_DIR)


def load_spec(message_type: str, version: str) -> MessageSpec:
    """Built-in spec, e.g. ``load_spec("ORDERS", "D96A")`` or ``load_spec("CONTRL", "2:2")``."""
    spec = default_registry().get(message_type, version)
    if spec is None:
        raise EdifactSpecError(f"no specification for {message_type} {version}")
    return spec
