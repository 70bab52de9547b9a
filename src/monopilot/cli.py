"""The `monopilot` command: Django's management commands plus the project's own.

Commands with hyphens (`seed-demo`) map onto module names with underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopilot.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "monopilot"
    # `monopilot bench webhooks --events 100 --json` → the suite's own command and options.
    if len(args) > 2 and args[1] == "bench" and args[2] != "all":
        args = [args[0], f"bench_{args[2]}", *args[3:]]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
