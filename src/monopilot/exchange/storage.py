"""Where export files and uploaded import files live (MEDIA_ROOT/exchange/...)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def root() -> Path:
    configured = getattr(settings, "MONOPILOT_EXCHANGE_DIR", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "exchange"


def job_dir(kind: str, org_id: object, job_id: object) -> Path:
    path = root() / kind / str(org_id) / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_name(name: str) -> str:
    """A file name without directories or odd characters (it is joined to a path)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in base).strip(" .")
    return cleaned[:200] or "upload"
