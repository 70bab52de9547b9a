"""Receiving: split a file into interchanges and messages, validate, store, acknowledge,
and hand each valid message to its flow (ORDERS, RECADV, CONTRL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from monopilot.edi import messages as store
from monopilot.edi.edifact import (
    EdifactError,
    Interchange,
    Message,
    Problem,
    ValidationOptions,
    ValidationReport,
    WriterOptions,
    build_contrl,
    parse,
    validate,
)
from monopilot.edi.messages import safe
from monopilot.edi.models import (
    EdiMessage,
    MessageDirection,
    MessageStatus,
    TradingPartner,
    without_nul,
)
from monopilot.edi.partners import next_control_ref
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

S = MessageStatus
Handler = Callable[[EdiMessage, Message, TradingPartner], None]


def _handlers() -> dict[str, Handler]:
    from monopilot.edi.flows import contrl_in, orders_in, recadv_in

    return {
        "ORDERS": orders_in.process,
        "RECADV": recadv_in.process,
        "CONTRL": contrl_in.process,
    }


def problem_json(problem: Problem) -> dict[str, object]:
    return {
        "severity": problem.severity.value,
        "code": int(problem.code),
        "message": safe(problem.message),
        "message_ref": safe(problem.message_ref, 35) if problem.message_ref else None,
        "segment_position": problem.segment_position,
        "segment_tag": safe(problem.segment_tag, 35) if problem.segment_tag else None,
        "element": problem.element_index,
        "component": problem.component_index,
        "line": problem.line,
        "offset": problem.offset,
        "text": safe(str(problem)),
    }


def receive(*, org: Organization, data: bytes, filename: str = "") -> list[EdiMessage]:
    """Store every message of `data` (never raises on content) and return the rows,
    CONTRLs we generated included."""
    try:
        interchanges = parse(data)
    except EdifactError as exc:
        return [_unreadable(org, data, filename, f"file cannot be read: {exc}")]
    if not interchanges:
        return [_unreadable(org, data, filename, "no EDIFACT interchange found in the file")]
    rows: list[EdiMessage] = []
    bounds = [i.offset for i in interchanges[1:]] + [len(data)]
    for inter, end in zip(interchanges, bounds, strict=True):
        rows.extend(_receive_interchange(org, inter, data[inter.offset : end], filename))
    return rows


@transaction.atomic
def _unreadable(org: Organization, data: bytes, filename: str, text: str) -> EdiMessage:
    row = EdiMessage.objects.create(
        org=org,
        direction=MessageDirection.INBOUND,
        status=S.ERROR,
        filename=safe(filename, 255),
        raw=bytes(data) if isinstance(data, bytes | bytearray) else b"",
        problems=[{"severity": "error", "code": 18, "message": text, "text": text}],
    )
    store.log(row, error=text)
    return row


@transaction.atomic
def _receive_interchange(
    org: Organization, inter: Interchange, raw: bytes, filename: str
) -> list[EdiMessage]:
    partner = (
        # safe(): the same cleaned value the rows store (PostgreSQL refuses NUL in a query)
        scoped(TradingPartner, org).filter(interchange_id=safe(inter.sender_id, 35)).first()
        if inter.sender_id
        else None
    )
    seen = _seen(org, inter) if partner else ()
    try:
        report = validate(inter, options=ValidationOptions(seen_interchanges=seen))
    except EdifactError as exc:
        return [_unreadable(org, raw, filename, f"interchange cannot be validated: {exc}")]
    envelope = [problem_json(p) for p in report.envelope_problems()]
    messages = list(inter.all_messages())
    rows = [
        _store_one(org, inter, msg, raw, filename, partner, report, envelope) for msg in messages
    ]
    if not messages:
        rows.append(_store_empty(org, inter, raw, filename, partner, envelope))
    contrl = _acknowledge(org, inter, report, partner, rows)
    return rows + ([contrl] if contrl else [])


def _seen(org: Organization, inter: Interchange) -> set[tuple[str, str, str]]:
    refs = scoped(EdiMessage, org).filter(
        direction=MessageDirection.INBOUND,
        sender_id=safe(inter.sender_id, 35),
        recipient_id=safe(inter.recipient_id, 35),
        interchange_ref=safe(inter.control_ref, 14),
    )
    return {(inter.sender_id, inter.recipient_id, inter.control_ref)} if refs.exists() else set()


def _store_empty(
    org: Organization,
    inter: Interchange,
    raw: bytes,
    filename: str,
    partner: TradingPartner | None,
    envelope: list[dict[str, object]],
) -> EdiMessage:
    text = "interchange holds no message"
    row = _new_row(org, inter, None, raw, filename, partner)
    row.problems = [*envelope, {"severity": "error", "code": 32, "message": text, "text": text}]
    row.status = S.ERROR
    row.save()
    store.log(row, error=text)
    return row


def _new_row(
    org: Organization,
    inter: Interchange,
    msg: Message | None,
    raw: bytes,
    filename: str,
    partner: TradingPartner | None,
) -> EdiMessage:
    return EdiMessage.objects.create(
        org=org,
        partner=partner,
        direction=MessageDirection.INBOUND,
        message_type=safe(msg.type if msg else "", 6),
        message_version=safe(msg.identifier if msg else "", 35),
        status=S.RECEIVED,
        filename=safe(filename, 255),
        sender_id=safe(inter.sender_id, 35),
        recipient_id=safe(inter.recipient_id, 35),
        interchange_ref=safe(inter.control_ref, 14),
        message_ref=safe(msg.ref if msg else "", 14),
        is_test=inter.is_test,
        raw=raw,
    )


def _store_one(
    org: Organization,
    inter: Interchange,
    msg: Message,
    raw: bytes,
    filename: str,
    partner: TradingPartner | None,
    report: ValidationReport,
    envelope: list[dict[str, object]],
) -> EdiMessage:
    row = _new_row(org, inter, msg, raw, filename, partner)
    store.move(row, S.PARSED)
    own = [problem_json(p) for p in report.for_message(msg.ref)]
    row.problems = envelope + own
    blocking = [p["text"] for p in row.problems if p["severity"] == "error"]
    if not blocking and partner is None:
        blocking = [f"sender {inter.sender_id} is not a trading partner of this organisation"]
    elif not blocking and partner is not None and not partner.edi_enabled:
        blocking = [f"EDI is switched off for partner {partner.name}"]
    elif not blocking and partner is not None and inter.is_test and not partner.test_indicator:
        # A test interchange must never create real documents in production mode.
        blocking = [f"test interchange (UNB 0035=1) but partner {partner.name} is not in test mode"]
    if blocking:
        row.errors = [{"message": safe(str(text))} for text in blocking]
        store.move(row, S.ERROR)
        store.log(row, error="; ".join(str(t) for t in blocking)[:4000])
        return row
    store.move(row, S.VALIDATED)
    assert partner is not None
    process(row, msg, partner)
    return row


def process(row: EdiMessage, msg: Message, partner: TradingPartner) -> None:
    """Run the business flow of one validated message; never half-applies."""
    _scrub(msg)
    handler = _handlers().get(msg.type)
    if handler is None:
        text = f"{msg.type} messages are stored but not processed automatically"
        store.review(row, [{"segment_position": 1, "segment_tag": "UNH", "message": text}])
        store.log(row, error=text)
        return
    try:
        with transaction.atomic():
            handler(row, msg, partner)
    except EdifactError as exc:
        store.review(row, [{"message": safe(f"cannot process: {exc}")}])
        store.log(row, error=str(exc))
        return
    if row.status == S.PROCESSED:
        row.processed_at = timezone.now()
        row.save(update_fields=["processed_at", "updated_at"])
    store.log(row, error="; ".join(e.get("message", "") for e in row.errors))


def _scrub(msg: Message) -> None:
    """NUL can't be stored in PostgreSQL text: flows see U+FFFD instead (reported already)."""
    for seg in msg.segments:
        if any("\x00" in c for e in seg.elements for c in e):  # rare: copy only then
            seg.elements = without_nul(seg.elements)


def _acknowledge(
    org: Organization,
    inter: Interchange,
    report: ValidationReport,
    partner: TradingPartner | None,
    rows: list[EdiMessage],
) -> EdiMessage | None:
    """One CONTRL per received interchange (never for a CONTRL), stored in the outbox."""
    if partner is None or not partner.send_contrl or not partner.edi_enabled:
        return None
    if rows and all(r.message_type == "CONTRL" for r in rows):
        return None
    ref = next_control_ref(partner)
    try:
        data = build_contrl(
            inter,
            report,
            sender=(partner.our_gln, "14"),
            recipient=(inter.sender_id, inter.sender_qualifier),
            control_ref=ref,
            prepared=datetime.now(UTC),
            options=WriterOptions(syntax_id="UNOC", syntax_version=3),
        )
    except EdifactError as exc:
        # Ids the writer cannot encode: no CONTRL, but say so on every message.
        for row in rows:
            row.errors = [*row.errors, {"message": f"no CONTRL sent: {exc}"}]
            row.save(update_fields=["errors", "updated_at"])
        return None
    row = store.outbound(
        partner=partner,
        message_type="CONTRL",
        data=data,
        interchange_ref=ref,
        message_ref="1",
        document_number=safe(inter.control_ref, 35),
    )
    return row
