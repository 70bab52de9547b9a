"""The reader's fast path: the garbage-collector pause and the bulk segment path.

Kept apart from ``reader`` so the exact per-segment logic stays readable; both produce the
same segments, positions, offsets, lines and problems (see ADR 0100, "Benchmark").
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat

from .model import Interchange, Message, Segment
from .syntax import Charset, decode_run
from .tokenizer import ByteForms, Tokenizer

_PROMOTE_AFTER = 100_000  # ~15,000 segments, ~300 KB of EDIFACT
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one interchange is built (never while the
    caller holds it between yields).

    Parsing creates ~6 container objects per segment and frees none of them: the worst case
    for CPython's generational collector, whose collections keep traversing the growing tree
    (measured: half of the parse time of a 2 MB ORDERS interchange) although it holds no
    reference cycles. Switching the collector off alone only defers that for a big
    interchange: the first young collection afterwards still walks the whole new tree
    (another ~40 % in a Django process). So after a big parse (> _PROMOTE_AFTER containers),
    ``freeze()`` + ``unfreeze()`` moves every tracked object to the oldest generation in
    O(1), and the tree is freed by reference counting when the caller drops it, without
    ever being traversed. Side effect, limited to big parses: objects younger than the
    parse are promoted with it, so cyclic garbage among them waits for the next full
    collection. Skipped when the process froze objects itself (a pre-fork server's
    ``gc.freeze()`` must stay). Small parses (one order) just switch the collector back on.
    Re-entrant and thread-safe; the collector is re-enabled only if it was on before.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                young = gc.get_count()[0]  # containers allocated while paused
                if young > _PROMOTE_AFTER and gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


# The tokenizer acts on segments starting with these (UNA advice, UNB separators)...
_TOKENIZER_PREFIXES = ("UNA", "UNB")
# ...and the assembler on these tags; the bulk path takes only UNH and UNT of them.
_ENVELOPE_TAGS = frozenset({"UNZ", "UNG", "UNE", "UNH", "UNT"})
_split = str.split
MIN_WINDOW = 512
_MAX_WINDOW = 64 * 1024


def _bulk_service(tag: str, message: Message | None) -> bool:
    """Service segments the bulk path takes: UNH between messages, UNT inside one."""
    return tag == "UNT" if message is not None else tag == "UNH"


class BulkReader:
    """Mixin of the reader's assembler: takes complete segments straight from the buffer."""

    current: Interchange | None
    message: Message | None
    charset: Charset
    count: int
    end_offset: int
    window: int

    def _begin_message(self, header: Segment, message: Message | None = None) -> Message:
        raise NotImplementedError

    def bulk(self, tokenizer: Tokenizer) -> int:
        """Take complete segments straight from the tokenizer's buffer: decode the window
        in one call, split it as text, build the segments; return the bytes taken (0 = let
        the exact per-segment path handle what comes next).

        Gives the same segments, positions, offsets and lines as the exact path, for the
        cases it takes: message segments, UNH between messages and UNT. It stops at UNA,
        UNB, UNZ, UNG and UNE, a line break inside a segment, a non-ASCII tag outside
        latin-1 and a segment outside a message; the window already ends before release/
        repetition characters and BOMs, and :func:`decode_run` before anything that would
        produce a decoding finding.
        """
        if self.current is None:
            return 0
        window = tokenizer._window(self.window)
        if window is None:
            return 0
        raw, offset, line, form = window
        text, multibyte = decode_run(raw, self.charset, form.special)
        pieces = text.split(form.text[0])
        pieces.pop()  # after the last terminator: empty, or cut short by decode_run
        taken, count = self._take(pieces, form, offset, line, text, multibyte)
        # Adapt the window: grow while whole windows are taken, shrink when little is, so a
        # run of segments the bulk path refuses does not re-decode a large window each time.
        whole = 0 < count == len(pieces)
        self.window = min(self.window * 2, _MAX_WINDOW) if whole else MIN_WINDOW
        self.count += count
        return taken

    def _take(
        self,
        pieces: list[str],
        form: ByteForms,
        offset: int,
        line: int,
        text: str,
        multibyte: bool,
    ) -> tuple[int, int]:
        """The bulk path's loop (kept in one function: it runs once per segment)."""
        term, elem, comp = form.text
        skip = form.skip_text
        codec = self.charset.codec
        newlines = "\n" in text or "\r" in text
        simple = not multibyte and term != "\n"  # byte length = text length, no line per '
        check_tag = codec != "latin-1" and not text.isascii()
        message = self.message
        segments = message.segments if message is not None else []
        taken = count = 0
        start = -1
        comps = repeat(comp)  # map(str.split, elements, comps): no comprehension frame
        for piece in pieces:
            body = piece.lstrip(skip)
            lead = len(piece) - len(body)
            if newlines:
                if "\n" in body or "\r" in body:
                    break
                if lead:
                    line += piece.count("\n", 0, lead)
            head, has_elements, rest = body.partition(elem)
            tag = head.partition(comp)[0] if comp in head else head
            if check_tag and not tag.isascii():
                break
            service = False
            if body.startswith("UN"):  # UNS and the like are ordinary message segments
                if body.startswith(_TOKENIZER_PREFIXES):
                    break
                if tag in _ENVELOPE_TAGS:
                    if not _bulk_service(tag, message):
                        break
                    service = True
            if message is None and not service:
                break
            start = offset + taken + lead
            elements = list(map(_split, rest.split(elem), comps)) if has_elements else []
            count += 1
            if message is None:
                message = self._begin_message(Segment(tag, elements, 1, start, line))
                segments = message.segments
            else:
                segments.append(Segment(tag, elements, len(segments) + 1, start, line, {}))
                if service:  # UNT
                    message = self.message = None
            if simple:
                taken += len(piece) + 1
                continue
            taken += len(piece.encode(codec) if multibyte else piece) + 1
            if term == "\n":
                line += 1
        if count:
            self.end_offset = start
        return taken, count
