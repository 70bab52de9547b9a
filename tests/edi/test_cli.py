from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from .support import FIXTURES

pytestmark = pytest.mark.django_db


def test_cli_receive(world):
    world.partner.test_indicator = True  # the sample interchanges are test ones
    world.partner.save()
    out = io.StringIO()
    call_command(
        "edi",
        "receive",
        str(FIXTURES / "orders_d96a_ean008_bots_multi.edi"),
        "--org",
        world.org.slug,
        stdout=out,
    )
    text = out.getvalue()
    assert "inbound ORDERS I1L0401010000T/I1L0401010000T processed" in text
    assert text.strip().endswith("with errors") and "48 message(s)" in text


def test_cli_errors(org, tmp_path):
    with pytest.raises(CommandError, match="organisation 'nope' not found"):
        call_command("edi", "receive", str(tmp_path / "x.edi"), "--org", "nope")
    with pytest.raises(CommandError, match="not found"):
        call_command("edi", "receive", str(tmp_path / "x.edi"), "--org", org.slug)
