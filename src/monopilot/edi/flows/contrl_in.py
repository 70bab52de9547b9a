"""CONTRL in -> our sent messages become confirmed or rejected."""

from __future__ import annotations

from monopilot.edi import messages as store
from monopilot.edi.edifact import ContrlResult, ContrlStatus, Message, message_status, read_contrl
from monopilot.edi.edifact.model import Interchange
from monopilot.edi.models import EdiMessage, MessageDirection, MessageStatus, TradingPartner
from monopilot.tenancy.scoping import scoped

_VERDICT = {
    ContrlStatus.ACCEPTED: MessageStatus.CONFIRMED,
    ContrlStatus.ACCEPTED_WITH_ERRORS: MessageStatus.CONFIRMED,
    ContrlStatus.REJECTED: MessageStatus.REJECTED,
    ContrlStatus.PARTIALLY_REJECTED: MessageStatus.REJECTED,
}


def process(row: EdiMessage, msg: Message, partner: TradingPartner) -> None:
    results = read_contrl(Interchange(messages=[msg]))
    if not results:
        store.review(
            row,
            [
                {
                    "segment_position": 2,
                    "segment_tag": "UCI",
                    "message": "CONTRL without UCI: nothing to apply",
                }
            ],
        )
        return
    refs = {r.interchange_ref for r in results}
    ours = (
        scoped(EdiMessage, row.org)
        .filter(partner=partner, direction=MessageDirection.OUTBOUND, interchange_ref__in=refs)
        .exclude(message_type="CONTRL")
    )
    if not ours.exists():
        text = f"CONTRL answers interchange {', '.join(sorted(refs))}, which we never sent"
        store.review(row, [{"segment_position": 2, "segment_tag": "UCI", "message": text}])
        return
    for sent in ours:
        _apply(sent, results, row)
    row.document_number = ", ".join(sorted(refs))[:70]
    store.processed(row, document_type="edi_message", document_id=ours[0].id)


def _apply(sent: EdiMessage, results: list[ContrlResult], contrl: EdiMessage) -> None:
    status = message_status(results, sent.interchange_ref, sent.message_ref)
    target = _VERDICT.get(status)
    if target is None or sent.status == target:
        return
    errors = [
        {
            "code": e.code,
            "segment_position": e.segment_position,
            "segment_tag": e.segment_tag,
            "message": f"partner reports error {e.code} at segment {e.segment_position} "
            f"{e.segment_tag or ''}".strip(),
        }
        for r in results
        if r.interchange_ref == sent.interchange_ref and r.message_ref in (None, sent.message_ref)
        for e in r.errors
    ]
    sent.errors = errors
    sent.related = contrl
    store.move(sent, target)
    store.log(sent, event=f"edi.{sent.message_type.lower()}.{target}")
