"""The events subscriber: outbound EDI for the few event types that need it.

Runs inside every publish transaction, so it returns at once for other types, and it works
in a savepoint: a message we cannot produce never blocks the business change (it is
logged as an EDI error instead, and the partner's interchange counter is not consumed).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from monopilot.edi.edifact import EdifactError
from monopilot.edi.flows.outbound import HANDLED, OutboundInvalid, generate_for_event
from monopilot.integration_logs.services import log_integration

logger = logging.getLogger(__name__)


def on_event(event: Any) -> None:
    if event.type not in HANDLED:
        return
    try:
        with transaction.atomic():
            generate_for_event(event)
    except (EdifactError, OutboundInvalid) as exc:
        logger.warning("EDI for event %s not generated: %s", event.id, exc)
        log_integration(
            org=event.org_id,
            integration_type="edi",
            direction="outbound",
            status="error",
            event_type=f"edi.{event.type}",
            external_id=str(event.subject_id),
            error_message=f"EDI message not generated: {exc}",
            metadata={"event_id": str(event.id)},
        )
