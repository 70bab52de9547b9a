"""`monopilot bench-api`: figures for the API on this machine (run on a throw-away database).

Prints: key creation time; the added cost per request of key verification + rate limiting
(µs), measured against the same endpoint without auth in the same run; requests/s and
p50/p95 latency of a product-list page with 10,000 products. Goals (issue): creation
< 10 ms, auth + rate limit < 0.5 ms per request, list p95 < 20 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import resolve

BENCH_TIER = "bench"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...

    def flush(self) -> Any: ...


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


class Bench:
    def __init__(self, out: Writer, *, products: int = 10_000, requests: int = 2_000) -> None:
        self.out = out
        self.products = products
        self.requests = requests

    def line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self) -> None:
        old_name = connection.settings_dict["NAME"]
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "postgresql":
            test["NAME"] = "monopilot_bench_api"
        else:  # a WAL file like the embedded deployment, not shared-cache :memory:
            from django.conf import settings

            test["NAME"] = str(settings.VAR_DIR / "bench_api.sqlite3")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            self._run()
        finally:
            from monopilot.apikeys.usage import recorder
            from monopilot.integration_logs.writer import buffered_writer

            buffered_writer().flush()
            recorder().flush()
            if connection.vendor == "postgresql":  # the writer threads' sessions
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
            bench_db = str(connection.settings_dict["NAME"])
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if connection.vendor == "sqlite":  # WAL side files of the writer threads
                for suffix in ("-wal", "-shm"):
                    Path(bench_db + suffix).unlink(missing_ok=True)
            recorder().forget()

    def _run(self) -> None:
        from monopilot.apikeys.ratelimit import get_limiter
        from monopilot.tenancy.models import Plan
        from monopilot.tenancy.services import organization_create

        org = organization_create(
            name="Bench Foods", slug="bench", plan=Plan.ENTERPRISE, modules=["integrations"]
        )
        self.line(f"database: {connection.vendor}; limiter: {type(get_limiter()).__name__}")
        self.key_creation(org)
        plain, product_id = self.seed(org)
        self.auth_cost(org, plain, product_id)
        # Fresh bulk-loaded rows have no planner statistics yet; production tables are
        # analysed by autovacuum, so measure both to show the difference.
        self.list_page(plain, "right after the bulk load")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE products")
        self.list_page(plain, "with planner statistics (ANALYZE)")
        self.logged(org)

    # --- 1. key creation ----------------------------------------------------------------

    def key_creation(self, org: Any) -> None:
        from monopilot.apikeys.services import api_key_create

        counter = iter(range(10**6))

        def create() -> None:
            with transaction.atomic():
                api_key_create(
                    org=org,
                    by=None,
                    name=f"bench {next(counter)}",
                    scopes=["read:products", "write:orders"],
                )

        create()  # warm-up
        times = _timed(create, 200)
        self.line(
            f"key creation: mean {statistics.mean(times) * 1e3:.2f} ms, "
            f"p50 {_pct(times, 0.5) * 1e3:.2f} ms, p95 {_pct(times, 0.95) * 1e3:.2f} ms "
            f"(200 keys; goal < 10 ms)"
        )

    # --- seed ---------------------------------------------------------------------------

    def seed(self, org: Any) -> tuple[str, Any]:
        from monopilot.apikeys import tiers
        from monopilot.apikeys.models import ApiKey
        from monopilot.apikeys.services import api_key_create
        from monopilot.erp.models import Product, ProductType

        # A tier the bench cannot exhaust, so every request pays the full limiter cost
        # without being refused.
        tiers.TIERS[BENCH_TIER] = tiers.TierLimits(BENCH_TIER, 10**9, 10**9, 10**9)
        issued = api_key_create(org=org, by=None, name="bench-main", scopes=["read:products"])
        ApiKey.objects.filter(pk=issued.key.pk).update(rate_limit_tier=BENCH_TIER)
        ptype = ProductType.objects.create(org=org, code="FG", name="Finished good")
        start = time.perf_counter()
        Product.objects.bulk_create(
            [
                Product(
                    org=org,
                    code=f"P-{i:06d}",
                    name=f"Product {i}",
                    product_type=ptype,
                    base_uom="kg",
                )
                for i in range(self.products)
            ],
            batch_size=1000,
        )
        self.line(f"seeded {self.products} products in {time.perf_counter() - start:.1f} s")
        first = Product.objects.filter(org=org).order_by("code").first()
        assert first is not None
        return issued.plaintext, first.pk

    # --- 2. auth + rate limit cost ------------------------------------------------------

    def auth_cost(self, org: Any, plain: str, product_id: Any) -> None:
        from monopilot.api.context import ApiPrincipal
        from monopilot.apikeys.verify import authenticate

        rf = RequestFactory()
        path = f"/api/v1/products/{product_id}"
        match = resolve(path)
        gated, raw = match.func, match.func.__wrapped__  # type: ignore[attr-defined]
        bearer = f"Bearer {plain}"
        verified = authenticate(plain, "10.1.2.3")
        who: ApiPrincipal = verified.principal

        def with_auth() -> None:
            request = rf.get(path, HTTP_AUTHORIZATION=bearer, REMOTE_ADDR="10.1.2.3")
            response = gated(request, **match.kwargs)
            assert response.status_code == 200, response.content

        def without_auth() -> None:
            request = rf.get(path, REMOTE_ADDR="10.1.2.3")
            request.auth = who  # type: ignore[attr-defined]
            response = raw(request, **match.kwargs)
            assert response.status_code == 200, response.content

        def verify_only() -> None:
            authenticate(plain, "10.1.2.3")

        for fn in (with_auth, without_auth, verify_only):
            _timed(fn, 200)  # warm caches and connections
        rounds, per = 10, max(100, self.requests // 10)
        a: list[float] = []
        b: list[float] = []
        for _ in range(rounds):  # interleaved, so drift hits both sides alike
            a += _timed(with_auth, per)
            b += _timed(without_auth, per)
        v = _timed(verify_only, rounds * per)
        added = statistics.median(a) - statistics.median(b)
        self.line(
            f"GET /api/v1/products/{{id}}: with key {statistics.median(a) * 1e6:.0f} µs, "
            f"without auth {statistics.median(b) * 1e6:.0f} µs (medians of {len(a)})"
        )
        self.line(
            f"added cost of the gateway (verify + rate limit + usage + log hand-off): "
            f"{added * 1e6:.0f} µs per request (goal < 500 µs)"
        )
        self.line(
            f"key verification + rate limit alone: median {statistics.median(v) * 1e6:.1f} µs, "
            f"p95 {_pct(v, 0.95) * 1e6:.1f} µs"
        )

    def logged(self, org: Any) -> None:
        from monopilot.integration_logs.models import IntegrationLog
        from monopilot.integration_logs.writer import buffered_writer

        buffered_writer().flush()
        rows = IntegrationLog.objects.filter(org=org, integration_type="api").count()
        self.line(f"integration log rows written for the API calls above: {rows}")

    # --- 3. product list page -------------------------------------------------------------

    def list_page(self, plain: str, variant: str) -> None:
        client = Client(REMOTE_ADDR="10.1.2.3")
        headers = {"Authorization": f"Bearer {plain}"}
        url = "/api/v1/products?limit=50"  # default ordering: newest first
        first = client.get(url, headers=headers)
        assert first.status_code == 200, first.content
        deep_cursor = self._deep_cursor(client, headers)
        pages = (("first page", url), ("deep page (cursor)", deep_cursor))
        for label, target in pages:

            def get(target: str = target) -> None:
                client.get(target, headers=headers)

            _timed(get, 50)
            times = _timed(get, self.requests)
            self.line(
                f"product list {label}, 50 of {self.products}, {variant}: "
                f"{len(times) / sum(times):.0f} req/s, "
                f"p50 {_pct(times, 0.5) * 1e3:.2f} ms, p95 {_pct(times, 0.95) * 1e3:.2f} ms "
                f"(sequential, full Django stack; goal p95 < 20 ms)"
            )

    def _deep_cursor(self, client: Client, headers: dict[str, str]) -> str:
        from monopilot.api.pagination import encode_cursor
        from monopilot.erp.models import Product

        row = Product.objects.order_by("-created_at", "-pk")[self.products - 500]
        cursor = encode_cursor(row.created_at, row.pk)
        return f"/api/v1/products?limit=50&cursor={cursor}"


def run(out: Writer, **kwargs: Any) -> None:
    Bench(out, **kwargs).run()
