"""`RawJSON`: JSON text that is already valid, to be stored as it is in a JSON column.

The dispatcher logs every webhook body; decoding it, walking it for secrets and encoding it
again cost more than the HTTP request itself. When a body cannot contain anything to mask,
the text we already have is what the log stores (see `masking.mask_json_text`).
"""

from __future__ import annotations


class RawJSON(str):
    """Text known to be valid JSON (checked by whoever makes one)."""
