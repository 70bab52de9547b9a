"""Envelope validation: UNB/UNZ, UNG/UNE and UNH/UNT counts, references, dates and the
partner-agreement checks (test indicator, known senders, duplicates)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from .errors import Problem, Severity, SyntaxErrorCode
from .model import Group, Interchange, Message, Segment
from .syntax import charset_for

E = SyntaxErrorCode


class EnvelopeOptions(Protocol):
    @property
    def accept_test(self) -> bool: ...
    @property
    def known_senders(self) -> Collection[str] | None: ...
    @property
    def seen_interchanges(self) -> Collection[tuple[str, str, str]]: ...


def problem_at(
    seg: Segment,
    severity: Severity,
    code: SyntaxErrorCode,
    text: str,
    ref: str | None,
    message: Message | None = None,
    group: Group | None = None,
    *,
    element: int | None = None,
    component: int | None = None,
) -> Problem:
    return Problem(
        severity,
        code,
        text,
        interchange_ref=ref,
        group_ref=group.ref if group else (message.group_ref if message else None),
        message_ref=message.ref if message else None,
        segment_position=seg.position,
        segment_tag=seg.tag,
        element_index=element,
        component_index=component,
        offset=seg.offset,
        line=seg.line or None,
    )


class EnvelopeChecker:
    def __init__(
        self, inter: Interchange, opts: EnvelopeOptions, add: Callable[[Problem], None]
    ) -> None:
        self.inter = inter
        self.opts = opts
        self.add = add
        self.ref = inter.control_ref or None

    def error(
        self,
        seg: Segment,
        code: SyntaxErrorCode,
        text: str,
        *,
        element: int | None = None,
        component: int | None = None,
        message: Message | None = None,
        group: Group | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.add(
            problem_at(
                seg,
                severity,
                code,
                text,
                self.ref,
                message,
                group,
                element=element,
                component=component,
            )
        )

    def check(self) -> None:
        unb = self.inter.header
        if unb is not None:
            self._check_unb(unb)
            self._check_unz(unb)
        if self.inter.groups and self.inter.messages:
            first = self.inter.groups[0].header or unb or Segment("UNG", [])
            self.error(first, E.GROUPS_AND_MESSAGES_MIXED, "interchange mixes groups and messages")
        for group in self.inter.groups:
            self._check_group(group)
        self._check_messages()

    # -- UNB / UNZ ----------------------------------------------------------------------

    def _check_unb(self, unb: Segment) -> None:
        inter = self.inter
        if not inter.syntax_id:
            self.error(unb, E.MISSING, "syntax identifier missing", element=1, component=1)
        elif not charset_for(inter.syntax_id).known:
            self.error(
                unb,
                E.SYNTAX_VERSION_NOT_SUPPORTED,
                f"syntax identifier {inter.syntax_id} not supported",
                element=1,
                component=1,
                severity=Severity.WARNING,
            )
        version = unb.value(1, 2)
        if not version:
            self.error(unb, E.MISSING, "syntax version number missing", element=1, component=2)
        elif version not in ("1", "2", "3", "4"):
            self.error(
                unb,
                E.SYNTAX_VERSION_NOT_SUPPORTED,
                f"syntax version {version!r}",
                element=1,
                component=2,
            )
        for index, what in ((2, "sender"), (3, "recipient")):
            if not unb.value(index, 1):
                self.error(
                    unb, E.MISSING, f"interchange {what} missing", element=index, component=1
                )
        self._check_date(unb, 4, inter.syntax_version)
        self._check_ref(unb)
        self._check_partner(unb)

    def _check_date(self, seg: Segment, element: int, syntax_version: int) -> None:
        date, time = seg.value(element, 1), seg.value(element, 2)
        if not date or not time:
            self.error(
                seg,
                E.MISSING,
                "date/time of preparation missing",
                element=element,
                component=1 if not date else 2,
            )
            return
        if syntax_version >= 4 and len(date) == 6:
            self.error(
                seg,
                E.DATA_ELEMENT_TOO_SHORT,
                "syntax 4 expects CCYYMMDD, got YYMMDD",
                element=element,
                component=1,
                severity=Severity.WARNING,
            )
        if not _valid_datetime(date, time):
            self.error(
                seg,
                E.INVALID_VALUE,
                f"invalid date/time {date}:{time}",
                element=element,
                component=1,
            )

    def _check_ref(self, unb: Segment) -> None:
        ref = self.inter.control_ref
        if not ref:
            self.error(unb, E.MISSING, "interchange control reference missing", element=5)
        elif len(ref) > 14:
            self.error(unb, E.DATA_ELEMENT_TOO_LONG, "control reference longer than 14", element=5)

    def _check_partner(self, unb: Segment) -> None:
        inter, opts = self.inter, self.opts
        if inter.test_indicator not in ("", "1"):
            self.error(unb, E.INVALID_VALUE, f"test indicator {inter.test_indicator!r}", element=11)
        elif inter.is_test and not opts.accept_test:
            self.error(
                unb, E.TEST_INDICATOR_NOT_SUPPORTED, "test interchange not accepted", element=11
            )
        if opts.known_senders is not None and inter.sender_id not in opts.known_senders:
            self.error(
                unb,
                E.UNKNOWN_INTERCHANGE_SENDER,
                f"unknown sender {inter.sender_id}",
                element=2,
                component=1,
            )
        key = (inter.sender_id, inter.recipient_id, inter.control_ref)
        if key in opts.seen_interchanges:
            self.error(
                unb,
                E.DUPLICATE_DETECTED,
                f"interchange {inter.control_ref} already received",
                element=5,
            )

    def _check_unz(self, unb: Segment) -> None:
        unz = self.inter.trailer
        if unz is None:
            return  # the reader already reported the missing UNZ
        expected = len(self.inter.groups) or len(self.inter.messages)
        self._check_count(unz, expected, "UNZ 0036", "messages or groups")
        if unz.value(2) != self.inter.control_ref:
            self.error(
                unz,
                E.REFERENCES_DO_NOT_MATCH,
                f"UNZ reference {unz.value(2)!r} does not match UNB {self.inter.control_ref!r}",
                element=2,
            )

    def _check_count(
        self,
        seg: Segment,
        expected: int,
        what: str,
        unit: str,
        message: Message | None = None,
        group: Group | None = None,
    ) -> None:
        value = seg.value(1)
        if not value.isdigit():
            self.error(
                seg,
                E.MISSING if not value else E.INVALID_TYPE_OF_CHARACTERS,
                f"{what} must be a number, got {value!r}",
                element=1,
                message=message,
                group=group,
            )
        elif int(value) != expected:
            self.error(
                seg,
                E.CONTROL_COUNT_DOES_NOT_MATCH,
                f"{what} says {value} but there are {expected} {unit}",
                element=1,
                message=message,
                group=group,
            )

    # -- UNG / UNE and UNH / UNT -----------------------------------------------------------

    def _check_group(self, group: Group) -> None:
        ung = group.header
        if ung is None:
            return
        if not group.ref:
            self.error(ung, E.MISSING, "group reference missing", element=5, group=group)
        self._check_date(ung, 4, 3)
        une = group.trailer
        if une is None:
            return
        self._check_count(une, len(group.messages), "UNE 0060", "messages", group=group)
        if une.value(2) != group.ref:
            self.error(
                une,
                E.REFERENCES_DO_NOT_MATCH,
                f"UNE reference {une.value(2)!r} does not match UNG {group.ref!r}",
                element=2,
                group=group,
            )

    def _check_messages(self) -> None:
        seen: set[str] = set()
        for message in self.inter.all_messages():
            unh = message.header
            if unh is None:
                continue
            if not message.ref:
                self.error(unh, E.MISSING, "message reference missing", element=1, message=message)
            elif message.ref in seen:
                self.error(
                    unh,
                    E.DUPLICATE_DETECTED,
                    f"message reference {message.ref} used twice",
                    element=1,
                    message=message,
                )
            seen.add(message.ref)
            for component, what in enumerate(("type", "version", "release", "agency"), 1):
                if not unh.value(2, component):
                    self.error(
                        unh,
                        E.MISSING,
                        f"message {what} missing",
                        element=2,
                        component=component,
                        message=message,
                    )
            self._check_unt(message)

    def _check_unt(self, message: Message) -> None:
        unt = message.trailer
        if unt is None:
            return
        self._check_count(
            unt, len(message.segments), "UNT 0074", "segments (UNH..UNT)", message=message
        )
        if unt.value(2) != message.ref:
            self.error(
                unt,
                E.REFERENCES_DO_NOT_MATCH,
                f"UNT reference {unt.value(2)!r} does not match UNH {message.ref!r}",
                element=2,
                message=message,
            )


def _valid_datetime(date: str, time: str) -> bool:
    formats = {6: "%y%m%d", 8: "%Y%m%d"}
    fmt = formats.get(len(date))
    if fmt is None or not date.isdigit() or len(time) != 4 or not time.isdigit():
        return False
    try:
        datetime.strptime(date + time, fmt + "%H%M")
    except ValueError:
        return False
    return True
