"""Fixtures of the exchange tests: a catalogue to import into, files on disk, a tiny API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from monopilot.erp.models import Product
from monopilot.tenancy.models import Organization

from .support import make_catalogue

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exchange"


@pytest.fixture(autouse=True)
def _exchange_dir(settings: Any, tmp_path: Path) -> None:
    settings.MONOPILOT_EXCHANGE_DIR = str(tmp_path / "exchange")


@pytest.fixture
def catalogue(org: Organization) -> dict[str, Any]:
    return make_catalogue(org)


@pytest.fixture
def product(org: Organization, catalogue: dict[str, Any]) -> Callable[..., Product]:
    def make(code: str, unit: str = "kg", type_code: str = "RM", **extra: Any) -> Product:
        return Product.objects.create(
            org=org,
            code=code,
            name=extra.pop("name", code),
            product_type=catalogue["types"][type_code],
            base_uom=unit,
            **extra,
        )

    return make


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write
