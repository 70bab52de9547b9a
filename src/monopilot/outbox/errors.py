"""Errors raised by outbox and webhook services; the API renders them as ApiError."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
