"""Streaming: chunk boundaries anywhere, and a ~50 MB interchange in constant memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

from monopilot.edi.edifact import RawSegment, Tokenizer, iter_interchanges, parse

from .support import FIXTURES, read_fixture

LINES = 200_000
DESCRIPTION = "Butter 40x250g Alu, sweet cream, lightly salted, EU origin, chilled " * 3
RELEASED = "Butter 40?+250g Alu ?: 10?'s of them ?? " * 3  # exercises the exact split path


def generated_order() -> Iterator[bytes]:
    """~50 MB ORDERS produced on the fly; nothing is stored."""
    yield b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345500004:14+240101:1200+1'\r\n"
    yield b"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO1+9'DTM+137:20240101:102'\r\n"
    batch: list[bytes] = []
    for n in range(1, LINES + 1):
        batch.append(
            f"LIN+{n}++4000862141404:EN'IMD+F++:::{RELEASED if n % 1000 == 0 else DESCRIPTION}'"
            f"QTY+21:{n}.500'\r\n".encode()
        )
        if len(batch) == 500:
            yield b"".join(batch)
            batch.clear()
    yield b"".join(batch)
    yield f"UNS+S'CNT+2:{LINES}'UNT+{3 * LINES + 6}+1'UNZ+1+1'".encode()


def test_tokenizer_streams_50mb_in_constant_memory() -> None:
    total = sum(len(chunk) for chunk in generated_order())
    assert total > 45_000_000
    count = 0
    last: RawSegment | None = None
    tracemalloc.start()
    try:
        for token in Tokenizer(generated_order()):
            if isinstance(token, RawSegment):
                count += 1
                last = token
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3 * LINES + 8
    assert last is not None and last.tag == b"UNZ" and last.offset > 45_000_000
    assert peak < 4 * 1024 * 1024


def test_tiny_chunks_give_identical_results() -> None:
    for path in sorted(FIXTURES.glob("*.edi")):
        data = read_fixture(path.name)
        whole = parse(data)
        chunked = list(iter_interchanges(data[i : i + 7] for i in range(0, len(data), 7)))
        assert [i.problems for i in chunked] == [i.problems for i in whole], path.name
        assert [[s.elements for m in i.all_messages() for s in m.segments] for i in chunked] == [
            [s.elements for m in i.all_messages() for s in m.segments] for i in whole
        ]


def test_binary_file_objects_are_read_incrementally() -> None:
    with (FIXTURES / "orders_d96a_ean008_bots_multi.edi").open("rb") as handle:
        refs = [i.control_ref for i in iter_interchanges(handle, chunk_size=100)]
    assert len(refs) == 24
