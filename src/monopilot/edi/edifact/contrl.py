"""CONTRL: build an acknowledgement for a received interchange, read incoming ones.

Outgoing: one UCI for the interchange (sender/recipient exactly as in the received UNB),
UCF per functional group, UCM per message, and for rejected messages UCS (segment position,
UNH = 1) with UCD (element/component position) carrying the 0085 codes of the report.
Only errors are acknowledged; warnings never reject.

Incoming: per-message status keyed by (acknowledged interchange ref, message ref), with
the interchange-level (UCI) verdict applying to messages the CONTRL does not list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import groupby

from .errors import Problem
from .model import Group, Interchange, Message, Segment
from .validator import ValidationReport
from .writer import WriterOptions, write_interchange

CONTRL_EANCOM97 = ("2", "2", "UN", "EAN002")
CONTRL_SYNTAX4 = ("4", "1", "UN", "")
_MAX_UCS = 999
_MAX_UCD = 99
_ENVELOPE_TAGS = ("UNB", "UNZ")


class ContrlStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_REJECTED = "partially_rejected"
    REJECTED = "rejected"
    RECEIVED = "received"
    UNKNOWN = "unknown"


_ACTIONS = {
    "1": ContrlStatus.ACCEPTED,
    "2": ContrlStatus.ACCEPTED_WITH_ERRORS,
    "3": ContrlStatus.PARTIALLY_REJECTED,
    "4": ContrlStatus.REJECTED,
    "5": ContrlStatus.ACCEPTED,
    "6": ContrlStatus.REJECTED,
    "7": ContrlStatus.ACCEPTED,
    "8": ContrlStatus.RECEIVED,
}


# -- building ---------------------------------------------------------------------------


def build_contrl_message(
    interchange: Interchange,
    report: ValidationReport,
    *,
    message_ref: str = "1",
    version: tuple[str, str, str, str] = CONTRL_EANCOM97,
    receipt_only: bool = False,
) -> Message:
    """The CONTRL message (UNH..UNT) acknowledging ``interchange``."""
    errors = list(report.errors)
    envelope = [p for p in errors if p.message_ref is None and p.group_ref is None]
    body: list[Segment] = [_uci(interchange, envelope, receipt_only)]
    if not receipt_only:
        # UCI 4 rejects every lower level, so the UCF/UCM verdicts must say so too.
        rejected = bool(envelope)
        for group in interchange.groups:
            body.extend(_ucf(group, errors, rejected))
        for message in interchange.messages:
            body.extend(_ucm(message, errors, rejected))
    contrl = Message(message_ref, "CONTRL", *version)
    contrl.segments = body
    return contrl


def build_contrl(
    interchange: Interchange,
    report: ValidationReport,
    *,
    sender: tuple[str, str],
    recipient: tuple[str, str],
    control_ref: str,
    prepared: datetime | None = None,
    message_ref: str = "1",
    version: tuple[str, str, str, str] = CONTRL_EANCOM97,
    receipt_only: bool = False,
    options: WriterOptions | None = None,
) -> bytes:
    """A complete interchange carrying one CONTRL. ``sender``/``recipient`` are ours and
    the partner's (id, qualifier): the reverse of the received UNB."""
    when = prepared or datetime.now(UTC)
    opts = options or WriterOptions(
        syntax_id="UNOA" if version[0] != "4" else "UNOC",
        syntax_version=4 if version[0] == "4" else 3,
    )
    long_date = opts.syntax_version >= 4
    envelope = Interchange(
        sender_id=sender[0],
        sender_qualifier=sender[1],
        recipient_id=recipient[0],
        recipient_qualifier=recipient[1],
        date=when.strftime("%Y%m%d" if long_date else "%y%m%d"),
        time=when.strftime("%H%M"),
        control_ref=control_ref,
    )
    envelope.messages.append(
        build_contrl_message(
            interchange, report, message_ref=message_ref, version=version, receipt_only=receipt_only
        )
    )
    return write_interchange(envelope, opts)


def _uci(inter: Interchange, envelope: list[Problem], receipt_only: bool) -> Segment:
    elements = [
        [inter.control_ref],
        [inter.sender_id, inter.sender_qualifier],
        [inter.recipient_id, inter.recipient_qualifier],
    ]
    if receipt_only:
        return Segment("UCI", [*elements, ["8"]])
    if not envelope:
        return Segment("UCI", [*elements, ["7"]])
    first = envelope[0]
    tag = first.segment_tag if first.segment_tag in _ENVELOPE_TAGS else ""
    return Segment("UCI", [*elements, ["4"], [str(int(first.code))], [tag], _s011(first)])


def _ucf(group: Group, errors: list[Problem], rejected: bool) -> list[Segment]:
    own = [p for p in errors if p.group_ref == group.ref and p.message_ref is None]
    action = "4" if own or rejected else "7"
    head = [[group.ref], list(group.app_sender), list(group.app_recipient), [action]]
    if own:
        head += [[str(int(own[0].code))], [own[0].segment_tag or ""], _s011(own[0])]
    out = [Segment("UCF", head)]
    for message in group.messages:
        out.extend(_ucm(message, errors, rejected or bool(own)))
    return out


def _ucm(message: Message, errors: list[Problem], rejected: bool) -> list[Segment]:
    own = [p for p in errors if p.message_ref == message.ref and p.group_ref == message.group_ref]
    s009 = [message.type, message.version, message.release, message.agency]
    if message.association:
        s009.append(message.association)
    if not own:
        return [Segment("UCM", [[message.ref], s009, ["4" if rejected else "7"]])]
    level = [
        p
        for p in own
        if p.segment_tag in ("UNH", "UNT") and p.segment_position in (1, len(message.segments))
    ]
    head = [[message.ref], s009, ["4"]]
    if level:
        head += [[str(int(level[0].code))], [level[0].segment_tag or ""], _s011(level[0])]
    detail = [p for p in own if p not in level and p.segment_position is not None]
    return [Segment("UCM", head), *_ucs_ucd(detail)]


def _ucs_ucd(problems: Iterable[Problem]) -> list[Segment]:
    out: list[Segment] = []
    ordered = sorted(
        problems,
        key=lambda p: (p.segment_position or 0, p.element_index or 0, p.component_index or 0),
    )
    for position, items in groupby(ordered, key=lambda p: p.segment_position or 0):
        found = list(items)
        segment_level = [p for p in found if p.element_index is None]
        code = [str(int(segment_level[0].code))] if segment_level else []
        out.append(Segment("UCS", [[str(position)], code]))
        for problem in [p for p in found if p.element_index is not None][:_MAX_UCD]:
            out.append(Segment("UCD", [[str(int(problem.code))], _s011(problem)]))
        if len(out) >= _MAX_UCS:
            break
    return out


def _s011(problem: Problem) -> list[str]:
    if problem.element_index is None:
        return []
    if problem.component_index is None:
        return [str(problem.element_index)]
    return [str(problem.element_index), str(problem.component_index)]


# -- reading ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContrlError:
    code: str
    segment_position: int | None = None
    segment_tag: str | None = None
    element_index: int | None = None
    component_index: int | None = None


@dataclass(frozen=True, slots=True)
class ContrlResult:
    """Verdict on one of our messages (``message_ref`` None = whole interchange)."""

    interchange_ref: str
    message_ref: str | None
    status: ContrlStatus
    action: str
    message_type: str = ""
    group_ref: str | None = None
    error_code: str = ""
    errors: tuple[ContrlError, ...] = field(default=())
    sender: str = ""
    recipient: str = ""

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.interchange_ref, self.message_ref)


def read_contrl(interchange: Interchange) -> list[ContrlResult]:
    """Results of every CONTRL message in ``interchange``. Never raises on bad content:
    a CONTRL without UCI yields nothing for that message."""
    results: list[ContrlResult] = []
    for message in interchange.all_messages():
        if message.type == "CONTRL":
            results.extend(_read_one(message))
    return results


def message_status(
    results: Iterable[ContrlResult], interchange_ref: str, message_ref: str
) -> ContrlStatus:
    """Status of one sent message: its UCM if listed, else what the UCI says about it."""
    fallback = ContrlStatus.UNKNOWN
    for result in results:
        if result.interchange_ref != interchange_ref:
            continue
        if result.message_ref == message_ref:
            return result.status
        if result.message_ref is None:
            fallback = _implied(result.status)
    return fallback


def _implied(uci_status: ContrlStatus) -> ContrlStatus:
    """UCI 7/3 mean 'lower levels acknowledged unless explicitly rejected'."""
    if uci_status in (ContrlStatus.PARTIALLY_REJECTED, ContrlStatus.ACCEPTED_WITH_ERRORS):
        return ContrlStatus.ACCEPTED
    return uci_status


@dataclass(slots=True)
class _Pending:
    message_ref: str
    message_type: str
    group_ref: str | None
    action: str
    error_code: str
    errors: list[ContrlError] = field(default_factory=list)


def _read_one(message: Message) -> list[ContrlResult]:
    uci = next((s for s in message.segments if s.tag == "UCI"), None)
    if uci is None:
        return []
    ref, sender, recipient = uci.value(1), uci.value(2), uci.value(3)
    out = [
        ContrlResult(
            ref,
            None,
            _status(uci.value(4)),
            uci.value(4),
            error_code=uci.value(5),
            sender=sender,
            recipient=recipient,
        )
    ]
    pending: list[_Pending] = []
    group_ref: str | None = None
    position: int | None = None
    for seg in message.segments:
        if seg.tag == "UCF":
            group_ref = seg.value(1)
        elif seg.tag == "UCM":
            pending.append(
                _Pending(seg.value(1), seg.value(2), group_ref, seg.value(3), seg.value(4))
            )
            position = None
        elif seg.tag == "UCS" and pending:
            position = _int(seg.value(1))
            if seg.value(2):
                pending[-1].errors.append(ContrlError(seg.value(2), position))
        elif seg.tag == "UCD" and pending:
            pending[-1].errors.append(
                ContrlError(
                    seg.value(1), position, None, _int(seg.value(2, 1)), _int(seg.value(2, 2))
                )
            )
    for item in pending:
        out.append(
            ContrlResult(
                ref,
                item.message_ref,
                _status(item.action),
                item.action,
                item.message_type,
                item.group_ref,
                item.error_code,
                tuple(item.errors),
                sender,
                recipient,
            )
        )
    return out


def _status(action: str) -> ContrlStatus:
    return _ACTIONS.get(action, ContrlStatus.UNKNOWN)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None
