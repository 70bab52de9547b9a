"""`monopilot bench edi`: EDIFACT engine throughput, pydifact on the same text, ORDERS → SO.

One run, on this machine:
1. corpus: every sample file in tests/fixtures/edi (each parsed as its own file) plus a
   generated UNOC interchange of ~N MB of EANCOM D96A ORDERS (5-29 lines each, latin-1
   text, a released ``?+`` in one NAD per message, a line break after every segment);
2. our engine: ``parse`` (tokenize + build the tree) and, separately, ``validate`` (envelope
   + structure against the specs) of the whole corpus — MB/s and messages/s;
3. pydifact: ``Interchange.from_str(text)`` + ``get_messages()`` on a comparison corpus (the
   samples pydifact can read + a generated interchange of ~M MB), and our ``parse`` on the
   same files; pydifact gets ``str`` decoded (latin-1, like its ``from_file``) *before* the
   clock starts, ours gets the bytes and decodes inside the clock;
4. ORDERS → sales order: N single-order interchanges through ``inbox.receive`` end to end
   (parse, validate, store, flow, sales order, CONTRL, events, log; one commit each) into
   the demo organisation with its EDI partners — ms per order p50/p95 and orders/s.

Every timing is the best of R runs after ``gc.collect()``; MB = 10^6 bytes.
"""

from __future__ import annotations

import gc
import logging
import os
import platform
import random
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from monopilot.edi.edifact import Interchange, parse, validate

GOALS = {"mb_per_s": 10.0, "vs_pydifact": 5.0, "ms_per_order": 50.0}
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "edi"
MB = 1_000_000


@dataclass
class Corpus:
    """Files to parse, each as one unit (a file may hold several interchanges)."""

    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


def sample_files() -> dict[str, bytes]:
    if not SAMPLES.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(SAMPLES.glob("*.edi"))}


def generated_orders(size: int, *, seed: int = 7) -> bytes:
    """A valid UNOC interchange of EANCOM D96A ORDERS messages, about ``size`` bytes."""
    rnd = random.Random(seed)
    head = "UNA:+.? '\nUNB+UNOC:3+5412345000013:14+4012345500004:14+261120:1200+BENCH++++1'\n"
    parts, total, count = [head], len(head), 0
    while total < size or count == 0:
        count += 1
        message = _order_message(count, rnd)
        parts.append(message)
        total += len(message)
    parts.append(f"UNZ+{count}+BENCH'\n")
    return "".join(parts).encode("latin-1")


def _order_message(ref: int, rnd: random.Random) -> str:
    segs = [
        f"UNH+{ref}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+PO{ref:08d}+9",
        "DTM+137:20261120:102",
        "DTM+2:20261201:102",
        "NAD+BY+5412345000013::9++Feinkost Müller ?+ Söhne:Filiale 7+Hauptstraße 1+Köln++50667+DE",
        "NAD+SU+4012345500004::9",
        "NAD+DP+5412345000020::9",
        "CUX+2:PLN:9",
    ]
    lines = rnd.randint(5, 29)
    for n in range(1, lines + 1):
        segs += [
            f"LIN+{n}++{rnd.randrange(10**12, 10**13)}:EN",
            f"PIA+1+ART{n:05d}:SA",
            f"IMD+F++:::Süßrahmbutter {n} 250 g",
            f"QTY+21:{rnd.randint(1, 500)}",
            f"PRI+AAA:{rnd.randint(100, 99999) / 100}",
        ]
    segs += ["UNS+S", f"CNT+2:{lines}"]
    segs.append(f"UNT+{len(segs) + 1}+{ref}")
    return "'\n".join(segs) + "'\n"


def _best(work: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None  # free the previous result before the next run
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _rates(size: int, messages: int, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 4),
        "mb_per_s": round(size / MB / seconds, 2),
        "messages_per_s": round(messages / seconds),
    }


def _parse_files(corpus: Corpus) -> list[list[Interchange]]:
    return [parse(data) for data in corpus.files.values()]


def _messages(parsed: list[list[Interchange]]) -> int:
    return sum(len(list(inter.all_messages())) for inters in parsed for inter in inters)


def engine(corpus: Corpus, repeats: int) -> dict[str, Any]:
    """Our parse, then validation of the parsed tree, over the whole corpus."""
    parse_s, parsed = _best(lambda: _parse_files(corpus), repeats)
    messages = _messages(parsed)
    interchanges = [inter for inters in parsed for inter in inters]
    validate_s, reports = _best(lambda: [validate(i) for i in interchanges], repeats)
    errors = sum(len(report.errors) for report in reports)
    return {
        "bytes": corpus.size,
        "files": len(corpus.files),
        "messages": messages,
        "parse": _rates(corpus.size, messages, parse_s),
        "validate": {**_rates(corpus.size, messages, validate_s), "errors_found": errors},
        "parse_and_validate": _rates(corpus.size, messages, parse_s + validate_s),
    }


def _pydifact_messages(texts: list[str]) -> int:
    from pydifact.segmentcollection import Interchange as PyInterchange

    # pydifact warns ("segments.xml not found") for every service segment and logs an INFO
    # line per UNB: both silenced, which also spares it the cost of printing them.
    quiet, logger = warnings.catch_warnings(), logging.getLogger("pydifact")
    level = logger.level
    with quiet:
        warnings.simplefilter("ignore")
        logger.setLevel(logging.WARNING)
        try:
            return sum(len(list(PyInterchange.from_str(t).get_messages())) for t in texts)
        finally:
            logger.setLevel(level)


def pydifact_readable(files: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, str]]:
    """Split the files into those pydifact parses and those it refuses (with the reason)."""
    ok: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    for name, data in files.items():
        try:
            _pydifact_messages([data.decode("latin-1")])
        except Exception as exc:  # any failure leaves the file out of the comparison
            refused[name] = f"{type(exc).__name__}: {str(exc)[:120]}"
        else:
            ok[name] = data
    return ok, refused


def comparison(corpus: Corpus, refused: dict[str, str], repeats: int) -> dict[str, Any]:
    """Our parse and pydifact's on the same files, same repeats, in the same run."""
    texts = [data.decode("latin-1") for data in corpus.files.values()]
    ours_s, parsed = _best(lambda: _parse_files(corpus), repeats)
    theirs_s, py_messages = _best(lambda: _pydifact_messages(texts), repeats)
    gc.disable()  # how much of pydifact's time is the cyclic collector (one run)
    try:
        theirs_nogc_s, _ = _best(lambda: _pydifact_messages(texts), 1)
    finally:
        gc.enable()
    ours_messages = _messages(parsed)
    return {
        "bytes": corpus.size,
        "files": len(corpus.files),
        "excluded_files": refused,
        "input": "ours: bytes (decoded inside the clock); pydifact: str (decoded before)",
        "ours": {"messages": ours_messages, **_rates(corpus.size, ours_messages, ours_s)},
        "pydifact": {
            "version": metadata.version("pydifact"),
            "messages": py_messages,
            **_rates(corpus.size, py_messages, theirs_s),
        },
        "pydifact_gc_off": _rates(corpus.size, py_messages, theirs_nogc_s),
        "ratio": round(theirs_s / ours_s, 2),
    }


def run_engine(*, size_mb: float, compare_mb: float, repeats: int) -> dict[str, Any]:
    samples = sample_files()
    full = Corpus({**samples, "generated_orders.edi": generated_orders(int(size_mb * MB))})
    readable, refused = pydifact_readable(samples)
    generated = generated_orders(int(compare_mb * MB))
    compared = Corpus({**readable, "generated_orders.edi": generated})
    return {
        "engine": engine(full, repeats),
        "comparison": comparison(compared, refused, repeats),
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def run(
    *,
    size_mb: float = 20.0,
    compare_mb: float = 4.0,
    orders: int = 200,
    repeats: int = 3,
    throwaway_db: bool = True,
) -> dict[str, Any]:
    """Everything the command prints. ``throwaway_db=False`` uses the current database
    (tests); otherwise the orders run in a database created and dropped for the run."""
    from django.db import connection

    result: dict[str, Any] = {
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "repeats": repeats,
        **run_engine(size_mb=size_mb, compare_mb=compare_mb, repeats=repeats),
    }
    if orders > 0:
        work = partial(orders_to_sales_orders, count=orders)
        result["orders"] = _in_throwaway_db(work) if throwaway_db else work()
    result["goals"] = GOALS
    result["goals_met"] = goals_met(result)
    return result


def goals_met(result: dict[str, Any]) -> dict[str, bool]:
    met = {
        ">= 10 MB/s parse": result["engine"]["parse"]["mb_per_s"] >= GOALS["mb_per_s"],
        ">= 5x pydifact": result["comparison"]["ratio"] >= GOALS["vs_pydifact"],
    }
    if "orders" in result:
        met["< 50 ms per order (p50)"] = result["orders"]["ms_p50"] < GOALS["ms_per_order"]
    return met


# -- ORDERS → sales order ----------------------------------------------------------------

LINES_PER_ORDER = 5
WARM_UP = 3


def orders_to_sales_orders(*, count: int) -> dict[str, Any]:
    """``count`` single-order interchanges through ``inbox.receive`` into the demo org."""
    from monopilot.edi.inbox import receive
    from monopilot.erp.models import SalesOrder
    from monopilot.integration_logs.writer import buffered_writer
    from monopilot.tenancy.scoping import scoped

    org, partner, dp, gtins = _demo_world()
    stamp = f"{int(time.time()) % 10**7:07d}"
    build = partial(_order_interchange, partner=partner, dp=dp, gtins=gtins, stamp=stamp)
    for n in range(WARM_UP):  # first queries, spec loading, caches
        receive(org=org, data=build(90_000 + n))
    times: list[float] = []
    documents: list[Any] = []
    started = time.perf_counter()
    for n in range(count):
        data = build(n)
        begin = time.perf_counter()
        rows = receive(org=org, data=data)
        times.append((time.perf_counter() - begin) * 1000)
        documents += [r.document_id for r in rows if r.message_type == "ORDERS" and r.document_id]
    total = time.perf_counter() - started
    buffered_writer().flush()
    return {
        "orders": count,
        "lines_per_order": LINES_PER_ORDER,
        "bytes_per_order": len(build(0)),
        "processed": len(documents),
        "sales_orders_found": scoped(SalesOrder, org).filter(pk__in=documents).count(),
        "ms_p50": round(_percentile(times, 0.5), 2),
        "ms_p95": round(_percentile(times, 0.95), 2),
        "ms_mean": round(statistics.mean(times), 2) if times else 0.0,
        "ms_max": round(max(times, default=0.0), 2),
        "orders_per_s": round(count / total, 1) if total else 0.0,
    }


def _demo_world() -> tuple[Any, Any, str, list[str]]:
    """The demo organisation and EDI partners of `seed-demo` (created when missing)."""
    from monopilot.edi.demo import seed_partners
    from monopilot.edi.models import TradingPartner
    from monopilot.erp.demo import DEMO_SLUG, seed_demo_org
    from monopilot.erp.models import CustomerAddress, Product
    from monopilot.tenancy.models import Organization
    from monopilot.tenancy.scoping import scoped

    org = Organization.objects.filter(slug=DEMO_SLUG).first() or seed_demo_org()
    seed_partners(org=org)
    partner = scoped(TradingPartner, org).exclude(customer=None).order_by("name").first()
    if partner is None:
        raise RuntimeError("the demo organisation has no customer EDI partner")
    address = (
        scoped(CustomerAddress, org)
        .filter(customer=partner.customer, address_type="shipping")
        .exclude(gln="")
        .order_by("gln")
        .first()
    )
    products = scoped(Product, org).filter(deleted_at__isnull=True).exclude(gtin="")
    gtins = list(products.order_by("code").values_list("gtin", flat=True)[:20])
    if len(gtins) < LINES_PER_ORDER:
        raise RuntimeError("the demo organisation has too few products with a GTIN")
    return org, partner, address.gln if address else "", gtins


def _order_interchange(n: int, *, partner: Any, dp: str, gtins: list[str], stamp: str) -> bytes:
    from monopilot.edi.edifact import Message, WriterOptions, segment, write_interchange

    body = [
        segment("BGM", "220", f"BENCH-{stamp}-{n}", "9"),
        segment("DTM", ["137", "20261120", "102"]),
        segment("DTM", ["2", "20261201", "102"]),
        segment("NAD", "BY", [partner.gln, "", "9"]),
        segment("NAD", "SU", [partner.our_gln, "", "9"]),
        *([segment("NAD", "DP", [dp, "", "9"])] if dp else []),
        segment("CUX", ["2", "PLN", "9"]),
    ]
    for line in range(1, LINES_PER_ORDER + 1):
        body += [
            segment("LIN", str(line), "", [gtins[(n + line) % len(gtins)], "EN"]),
            segment("QTY", ["21", str(1 + line % 3)]),
            segment("PRI", ["AAA", f"{2 + line}.50"]),
        ]
    body += [segment("UNS", "S"), segment("CNT", ["2", str(LINES_PER_ORDER)])]
    message = Message("1", "ORDERS", "D", "96A", "UN", "EAN008", segments=body)
    inter = Interchange(
        sender_id=partner.interchange_id,
        sender_qualifier="14",
        recipient_id=partner.our_gln,
        recipient_qualifier="14",
        date="261120",
        time="1200",
        control_ref=f"B{stamp}{n:05d}",
        ack_request="1",
        messages=[message],
    )
    return write_interchange(inter, WriterOptions(syntax_id="UNOC", syntax_version=3))


class _Silent:
    def write(self, text: str, /) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _in_throwaway_db(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in the API bench's throw-away database (a WAL SQLite file under var/,
    or a scratch PostgreSQL database), created and dropped around it."""
    from monopilot.apikeys.bench import Bench

    class _Run(Bench):
        def _run(self) -> None:
            self.result = work()

    runner = _Run(_Silent())
    runner.run()
    return runner.result
