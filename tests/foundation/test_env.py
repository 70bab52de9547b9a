"""Environment helpers refuse bad values with the variable's name instead of failing later."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from monopilot.core.env import env_float


def test_env_float_reads_defaults_and_refuses_nonsense(monkeypatch) -> None:
    monkeypatch.delenv("MP_TEST_POLL", raising=False)
    assert env_float("MP_TEST_POLL", 0.5) == 0.5
    monkeypatch.setenv("MP_TEST_POLL", "0.05")
    assert env_float("MP_TEST_POLL", 0.5) == 0.05
    for bad in ("fast", "0", "-1", "nan"):
        monkeypatch.setenv("MP_TEST_POLL", bad)
        with pytest.raises(ImproperlyConfigured, match="MP_TEST_POLL"):
            env_float("MP_TEST_POLL", 0.5)
