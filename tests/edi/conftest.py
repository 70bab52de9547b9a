from __future__ import annotations

import pytest

from monopilot.tenancy.models import Organization

from .support import World, make_world


@pytest.fixture
def world(org: Organization) -> World:
    return make_world(org)
