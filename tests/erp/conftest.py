from __future__ import annotations

import pytest

from monopilot.tenancy.models import Organization

from .factories import Base, build_base


@pytest.fixture
def base(org: Organization) -> Base:
    return build_base(org)


@pytest.fixture
def other_base(other_org: Organization) -> Base:
    return build_base(other_org)
