"""`monopilot apikey create|list|revoke` — API keys from the shell (operators, scripts).

The CLI acts as the operator, not as a member, so the creator-role limit on scopes does
not apply here (the console enforces it for people).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from monopilot.apikeys.selectors import api_key_list, masked_row
from monopilot.apikeys.services import ApiKeyError, api_key_create, api_key_revoke
from monopilot.apikeys.tiers import Tier
from monopilot.tenancy.models import Organization


class Command(BaseCommand):
    help = "Create, list and revoke API keys of an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key (printed once)")
        create.add_argument("--org", required=True, help="organisation slug")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. read:products")
        create.add_argument("--tier", choices=Tier.values, default="")
        create.add_argument("--ip", action="append", default=[], help="allowed CIDR (repeat)")
        create.add_argument("--env", choices=["live", "test"], default="live")
        create.add_argument("--expires", help="ISO 8601 date-time")
        create.add_argument("--json", action="store_true", help="print JSON")
        listing = sub.add_parser("list", help="list keys (masked)")
        listing.add_argument("--org", required=True)
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="revoke a key permanently")
        revoke.add_argument("--org", required=True)
        revoke.add_argument("key", help="key id or prefix (mp_live_XXXXXXXX)")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug {options['org']!r}")
        try:
            getattr(self, f"_{action}")(org, options)
        except ApiKeyError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, org: Organization, options: dict[str, Any]) -> None:
        issued = api_key_create(
            org=org,
            by=None,
            name=options["name"],
            scopes=options["scopes"].split(","),
            environment=options["env"],
            rate_limit_tier=options["tier"],
            expires_at=_when(options.get("expires")),
            allowed_ips=options["ip"],
        )
        key = issued.key
        if options["json"]:
            out = {"id": str(key.pk), "key": issued.plaintext, "prefix": key.display_prefix}
            self.stdout.write(json.dumps(out))
            return
        self.stdout.write(
            f"{issued.plaintext}\n{issued.message}\nid {key.pk}, scopes {', '.join(key.scopes)}"
        )

    def _list(self, org: Organization, options: dict[str, Any]) -> None:
        rows = [masked_row(k) for k in api_key_list(org=org)]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        if not rows:
            self.stdout.write("No API keys created yet")
        for r in rows:
            self.stdout.write(
                f"{r['id']}  {r['key']}  {r['status']:<9}  {r['rate_limit']:<20}  "
                f"{r['name']}  [{', '.join(r['scopes'])}]"
            )

    def _revoke(self, org: Organization, options: dict[str, Any]) -> None:
        ref: str = options["key"]
        keys = api_key_list(org=org)
        lookup = ref.removeprefix("mp_live_").removeprefix("mp_test_")[:8]
        key = keys.filter(key_prefix=lookup).first() if ref.startswith("mp_") else None
        if key is None:
            try:
                key = keys.filter(pk=ref).first()
            except Exception:  # not a UUID
                key = None
        if key is None:
            raise CommandError(f"No API key {ref!r} in {org.slug}")
        api_key_revoke(key=key, by=None, reason=options["reason"])
        self.stdout.write(f"revoked {key.display_prefix} ({key.name})")


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        raise CommandError(f"--expires: not an ISO 8601 date-time: {text!r}")
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
