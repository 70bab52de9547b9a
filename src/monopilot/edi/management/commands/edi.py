"""`monopilot edi ...`: EDI tools for operators and scripts.

- ``parse FILE [--json]``: engine only (no database): structure and every problem of a
  file; exit 0 valid, 1 invalid, 2 not EDIFACT at all (or unreadable / not found).
- ``import FILE --org SLUG`` (``receive`` is the older name): store and process a file,
  one line per stored message; ``import`` exits 1 when a message ended in error.
- ``render {invoic|desadv|ordrsp} NUMBER --org SLUG [--output FILE]``: the EANCOM
  interchange of one document, the stored outbound message when there is one.

Exit codes are ``SystemExit`` raised after the output is written, so scripts and
``call_command`` callers both see them; refusals are ``CommandError`` (exit 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from monopilot.edi.edifact import (
    EdifactError,
    Interchange,
    Message,
    Problem,
    parse,
    validate,
)
from monopilot.edi.models import EdiMessage, MessageStatus
from monopilot.tenancy.models import Organization

VALID, INVALID, NOT_EDIFACT = 0, 1, 2

RENDER_HELP = (
    "write the EANCOM interchange of a document: invoic (invoice number, finalized), desadv "
    "(shipment number, shipped or delivered, with boxes), ordrsp (sales order number, "
    "confirmed: 29 / cancelled: 27). The stored outbound message of the document is "
    "returned as stored; when there is none it is generated and stored exactly as the "
    "events subscriber does (next interchange number of the partner, so the counter stays "
    "gap-free and the bytes you hand over are the ones a CONTRL will refer to)."
)


class Command(BaseCommand):
    help = (
        "EDI tools: `edi parse FILE [--json]`, `edi import FILE --org SLUG` (alias "
        "`receive`), `edi render {invoic|desadv|ordrsp} NUMBER --org SLUG [--output FILE]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "parse",
            help="show the structure and every problem of an EDIFACT file (no database); "
            "exit 0 valid, 1 invalid, 2 not EDIFACT",
        )
        check.add_argument("file")
        check.add_argument("--json", action="store_true", help="one JSON document")
        for name, text in (
            ("import", "store and process an EDIFACT file; exit 1 if a message ended in error"),
            ("receive", "older name of `import` (same output, always exit 0)"),
        ):
            rec = sub.add_parser(name, help=text)
            rec.add_argument("file")
            rec.add_argument("--org", required=True, help="organisation slug")
        render = sub.add_parser("render", help=RENDER_HELP)
        render.add_argument("kind", choices=("invoic", "desadv", "ordrsp"))
        render.add_argument("number", help="invoice, shipment or sales order number")
        render.add_argument("--org", required=True, help="organisation slug")
        render.add_argument("--output", help="write the bytes to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "parse":
            self._parse(Path(options["file"]), as_json=options["json"])
        elif action == "render":
            self._render(options)
        else:
            self._import(options, strict=action == "import")

    # -- parse ---------------------------------------------------------------------------

    def _parse(self, path: Path, *, as_json: bool) -> None:
        try:
            interchanges = parse(path.read_bytes())
        except (OSError, EdifactError) as exc:
            self._not_edifact(path, f"cannot read {path}: {exc}", as_json)
        if not any(i.header is not None or i.una for i in interchanges):
            self._not_edifact(path, f"{path}: no UNA/UNB found, not an EDIFACT file", as_json)
        report = describe(interchanges, str(path))
        self.stdout.write(json.dumps(report, indent=2) if as_json else render_text(report))
        raise SystemExit(VALID if report["valid"] else INVALID)

    def _not_edifact(self, path: Path, text: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"file": str(path), "edifact": False, "error": text}))
        else:
            self.stderr.write(text)
        raise SystemExit(NOT_EDIFACT)

    # -- import / receive ----------------------------------------------------------------

    def _import(self, options: dict[str, Any], *, strict: bool) -> None:
        from monopilot.edi.services import receive

        org = _org(options["org"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file {path} not found")
        rows = receive(org=org, data=path.read_bytes(), filename=path.name)
        failed = sum(row.status == MessageStatus.ERROR for row in rows)
        for row in rows:
            self.stdout.write(_row_line(row))
        self.stdout.write(f"{len(rows)} message(s), {failed} with errors")
        if strict and failed:
            raise SystemExit(1)

    # -- render --------------------------------------------------------------------------

    def _render(self, options: dict[str, Any]) -> None:
        from monopilot.edi.services import render_document

        org = _org(options["org"])
        try:
            row, created = render_document(org=org, kind=options["kind"], number=options["number"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        data = bytes(row.raw)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
        else:
            _write_bytes(self.stdout, data)
        state = "generated and stored now" if created else "already stored"
        self.stderr.write(
            f"{row.message_type} {options['number']}: message {row.id}, interchange "
            f"{row.interchange_ref}, {state}"
        )


def _org(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise CommandError(f"organisation {slug!r} not found")
    return org


def _row_line(row: EdiMessage) -> str:
    first = row.errors or [p for p in row.problems if p.get("severity") == "error"]
    reason = f"  {first[0].get('message', '')}" if first else ""
    return (
        f"{row.id} {row.direction} {row.message_type or '-'} "
        f"{row.interchange_ref or '-'}/{row.message_ref or '-'} {row.status}{reason}"
    )


def _write_bytes(stream: OutputWrapper, data: bytes) -> None:
    """The interchange is bytes in the partner's charset: a real stdout gets them as they
    are (re-encoding UNOC text as UTF-8 would change them); a text buffer (tests,
    call_command with stdout=StringIO) gets them decoded as latin-1, byte for char."""
    binary = getattr(stream, "buffer", None)
    if binary is None:
        stream.write(data.decode("latin-1"), ending="")
        return
    stream.flush()
    binary.write(data)
    binary.flush()


# -- the parse report (pure: engine objects in, plain data out) -------------------------------


def describe(interchanges: list[Interchange], source: str) -> dict[str, Any]:
    items = [_interchange(inter) for inter in interchanges]
    errors = sum(i["errors"] for i in items)
    return {
        "file": source,
        "edifact": True,
        "valid": errors == 0,
        "errors": errors,
        "warnings": sum(i["warnings"] for i in items),
        "interchanges": items,
    }


def _interchange(inter: Interchange) -> dict[str, Any]:
    problems = validate(inter).problems
    return {
        "syntax": f"{inter.syntax_id}:{inter.syntax_version}" if inter.header else None,
        "sender": _party(inter.sender_id, inter.sender_qualifier),
        "recipient": _party(inter.recipient_id, inter.recipient_qualifier),
        "control_ref": inter.control_ref,
        "test": inter.is_test,
        "una": inter.una,
        "line": inter.line,
        "offset": inter.offset,
        "messages": [_message(m) for m in inter.messages],
        "groups": [
            {"ref": g.ref, "function": g.function_id, "messages": [_message(m) for m in g.messages]}
            for g in inter.groups
        ],
        "errors": sum(p.is_error for p in problems),
        "warnings": sum(not p.is_error for p in problems),
        "problems": [problem_out(p) for p in problems],
    }


def _party(identifier: str, qualifier: str) -> str:
    return f"{identifier}:{qualifier}" if qualifier else identifier


def _message(msg: Message) -> dict[str, Any]:
    return {
        "ref": msg.ref,
        "identifier": msg.identifier,
        "segments": len(msg.segments),
        "line": msg.line,
        "offset": msg.offset,
    }


def problem_out(p: Problem) -> dict[str, Any]:
    return {
        "severity": p.severity.value,
        "code": int(p.code),
        "message_ref": p.message_ref,
        "segment_position": p.segment_position,
        "segment_tag": p.segment_tag,
        "element": p.element_index,
        "component": p.component_index,
        "line": p.line,
        "offset": p.offset,
        "text": p.message,
    }


def render_text(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for n, inter in enumerate(report["interchanges"], start=1):
        lines += _interchange_text(n, inter)
    verdict = "valid" if report["valid"] else "INVALID"
    lines.append(
        f"{report['file']}: {len(report['interchanges'])} interchange(s), "
        f"{report['errors']} error(s), {report['warnings']} warning(s): {verdict}"
    )
    return "\n".join(lines)


def _interchange_text(n: int, inter: dict[str, Any]) -> list[str]:
    test = " TEST" if inter["test"] else ""
    lines = [
        f"interchange {n}: {inter['syntax'] or 'no UNB'} {inter['sender'] or '-'} -> "
        f"{inter['recipient'] or '-'} ref {inter['control_ref'] or '-'}{test} "
        f"(line {inter['line']}, offset {inter['offset']})"
    ]
    lines += [_message_text(m, "  ") for m in inter["messages"]]
    for group in inter["groups"]:
        lines.append(f"  group {group['ref'] or '-'} {group['function']}")
        lines += [_message_text(m, "    ") for m in group["messages"]]
    lines += [f"  {_problem_text(p)}" for p in inter["problems"]]
    return lines


def _message_text(msg: dict[str, Any], indent: str) -> str:
    return f"{indent}message {msg['ref'] or '-'} {msg['identifier']}: {msg['segments']} segment(s)"


def _problem_text(p: dict[str, Any]) -> str:
    where = [f"message {p['message_ref']}"] if p["message_ref"] is not None else []
    if p["segment_tag"] is not None:
        where.append(f"segment {p['segment_position']} {p['segment_tag']}")
    if p["element"] is not None:
        comp = f".{p['component']}" if p["component"] is not None else ""
        where.append(f"element {p['element']}{comp}")
    where += [f"line {p['line']}"] if p["line"] else []
    where += [f"offset {p['offset']}"] if p["offset"] is not None else []
    return f"{p['severity']} {p['code']}: {p['text']} ({', '.join(where)})"
