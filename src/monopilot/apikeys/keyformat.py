"""The key format of DECISIONS: `mp_live_`/`mp_test_` + 32 base62 + a 6-character checksum.

The checksum is base62(CRC32(everything before it)), so a scanner can tell a real key from
a random string offline, without asking the server. The first 8 random characters are the
public lookup prefix (unique); the rest never leaves the client except inside the digest.
"""

from __future__ import annotations

import re
import secrets
import zlib
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ENVIRONMENTS = ("live", "test")
RANDOM_LEN = 32
CHECKSUM_LEN = 6
LOOKUP_LEN = 8
KEY_RE = re.compile(r"^mp_(live|test)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$")


@dataclass(frozen=True)
class ParsedKey:
    environment: str
    lookup: str  # first 8 random characters, stored as ApiKey.key_prefix
    full: str


def _base62(number: int, width: int) -> str:
    chars = []
    while number:
        number, rest = divmod(number, 62)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars)).rjust(width, "0")


def checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LEN)


def generate(environment: str = "live") -> str:
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
    body = f"mp_{environment}_" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
    return body + checksum(body)


def parse(raw: str) -> ParsedKey | None:
    """The parsed key, or None when the text is not a well-formed key with a valid checksum."""
    match = KEY_RE.match(raw)
    if match is None or checksum(raw[:-CHECKSUM_LEN]) != match.group(3):
        return None
    return ParsedKey(environment=match.group(1), lookup=match.group(2)[:LOOKUP_LEN], full=raw)


def looks_like_key(raw: str) -> bool:
    """Offline leak check: a well-formed MonoPilot key (format and checksum)."""
    return parse(raw) is not None


def display_prefix(environment: str, lookup: str) -> str:
    return f"mp_{environment}_{lookup}"


def masked(environment: str, lookup: str) -> str:
    return display_prefix(environment, lookup) + "••••••••"
