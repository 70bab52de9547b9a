"""`monopilot bench edi` at toy sizes: every figure is there and sane (no timing asserts).

The engine half runs without Django; the ORDERS half needs the database (pytest-django),
so it is skipped when the engine tests run from a bare virtualenv (``-p no:django``).
"""

from __future__ import annotations

import json
import sys
from io import StringIO
from typing import Any

import pytest

from monopilot.edi import bench
from monopilot.edi.edifact import parse, validate

# Statically (pytest-django sets up the test database only for tests that name `db`), and
# a skip when the plugin is off.
needs_db = (
    pytest.mark.usefixtures("db")
    if "pytest_django.plugin" in sys.modules
    else pytest.mark.skip(reason="needs pytest-django (the database)")
)


def _positive_rates(rates: dict[str, Any]) -> None:
    assert rates["seconds"] > 0
    assert rates["mb_per_s"] > 0
    assert rates["messages_per_s"] > 0


def test_generated_corpus_is_valid_eancom() -> None:
    data = bench.generated_orders(20_000)
    assert 20_000 <= len(data) < 25_000
    (inter,) = parse(data)
    messages = list(inter.all_messages())
    assert len(messages) > 3 and inter.problems == []
    assert validate(inter).errors == []
    assert {m.type for m in messages} == {"ORDERS"}


def test_engine_figures_without_a_database() -> None:
    result = bench.run_engine(size_mb=0.05, compare_mb=0.02, repeats=1)
    eng, cmp = result["engine"], result["comparison"]
    assert eng["files"] == len(bench.sample_files()) + 1
    assert eng["bytes"] > 50_000 and eng["messages"] > 20
    for rates in (eng["parse"], eng["validate"], eng["parse_and_validate"]):
        _positive_rates(rates)
    assert eng["validate"]["errors_found"] > 0  # the broken samples are in the corpus
    _positive_rates(cmp["ours"])
    _positive_rates(cmp["pydifact"])
    _positive_rates(cmp["pydifact_gc_off"])
    assert cmp["ratio"] > 0
    # the same files went to both parsers, and both found the same messages
    assert cmp["ours"]["messages"] == cmp["pydifact"]["messages"] > 0
    assert cmp["files"] + len(cmp["excluded_files"]) == eng["files"]
    assert "generated_orders.edi" not in cmp["excluded_files"]


@needs_db
def test_bench_command_json_has_all_figures() -> None:
    from django.core.management import call_command

    from monopilot.erp.models import SalesOrder

    out = StringIO()
    call_command(
        "bench_edi",
        "--size-mb=0.05",
        "--compare-mb=0.02",
        "--orders=3",
        "--repeats=1",
        "--current-db",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["database"] in ("sqlite", "postgresql")
    orders = result["orders"]
    assert orders["orders"] == orders["processed"] == orders["sales_orders_found"] == 3
    assert 0 < orders["ms_p50"] <= orders["ms_p95"] <= orders["ms_max"]
    assert orders["orders_per_s"] > 0 and orders["bytes_per_order"] > 300
    created = SalesOrder.objects.filter(source="edi", customer_po__startswith="BENCH-")
    assert created.count() == 3 + bench.WARM_UP  # the warm-up orders are real ones too
    assert set(result["goals_met"]) == {
        ">= 10 MB/s parse",
        ">= 5x pydifact",
        "< 50 ms per order (p50)",
    }
    assert result["goals"] == bench.GOALS


@needs_db
def test_bench_table_names_goals_and_left_out_files() -> None:
    from django.core.management import call_command

    out = StringIO()
    call_command("bench_edi", "--size-mb=0.02", "--compare-mb=0.01", "--orders=0", stdout=out)
    text = out.getvalue()
    assert "ratio ours / pydifact" in text and ">= 5x" in text and ">= 10 MB/s" in text
    assert "pydifact cannot read (left out):" in text
    assert "ORDERS" not in text  # --orders=0 skips the database part
