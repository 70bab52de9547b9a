"""Trading partners and the EDI inbox/outbox (one row per message, raw bytes kept)."""

from __future__ import annotations

from typing import Any

from django.db import models

from monopilot.tenancy.models import TenantModel


def without_nul(value: Any) -> Any:
    """`value` with NUL replaced by U+FFFD in every string (keys too): PostgreSQL refuses
    NUL in text and in JSON (`\\u0000`), and received interchanges may carry it anywhere."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value


class Directory(models.TextChoices):
    D96A = "D96A", "D.96A (EANCOM 1997)"
    D01B = "D01B", "D.01B (EANCOM 2002)"


class TradingPartner(TenantModel):
    """A customer or supplier we exchange EDIFACT with, identified by GLN."""

    name = models.CharField(max_length=200)
    gln = models.CharField(max_length=13)
    # The id the partner puts in UNB S002 (defaults to the GLN; some VANs use another id).
    interchange_id = models.CharField(max_length=35)
    interchange_qualifier = models.CharField(max_length=4, default="14")
    customer = models.ForeignKey(
        "erp.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supplier = models.ForeignKey(
        "erp.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edi_enabled = models.BooleanField(default=True)
    syntax_id = models.CharField(max_length=4, default="UNOC")
    syntax_version = models.PositiveSmallIntegerField(default=3)
    directory = models.CharField(max_length=4, choices=Directory.choices, default=Directory.D96A)
    our_gln = models.CharField(max_length=13)
    # Last UNB 0020 we used towards this partner; incremented under a row lock (gap-free).
    control_counter = models.PositiveBigIntegerField(default=0)
    test_indicator = models.BooleanField(default=False)
    send_contrl = models.BooleanField(default=True)

    class Meta:
        db_table = "edi_trading_partners"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "interchange_id"], name="edi_partner_unb_id"),
            models.UniqueConstraint(fields=["org", "gln"], name="edi_partner_gln"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.gln})"


class MessageDirection(models.TextChoices):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(models.TextChoices):
    RECEIVED = "received"
    PARSED = "parsed"
    VALIDATED = "validated"
    PROCESSED = "processed"
    PENDING_REVIEW = "pending_review"
    ERROR = "error"
    GENERATED = "generated"
    SENT = "sent"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class EdiMessage(TenantModel):
    """One EDIFACT message received or generated (an unreadable file is one row too)."""

    partner = models.ForeignKey(
        TradingPartner, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=10, choices=MessageDirection.choices)
    message_type = models.CharField(max_length=6, blank=True)
    message_version = models.CharField(max_length=35, blank=True)
    status = models.CharField(max_length=20, choices=MessageStatus.choices)
    filename = models.CharField(max_length=255, blank=True)
    sender_id = models.CharField(max_length=35, blank=True)
    recipient_id = models.CharField(max_length=35, blank=True)
    interchange_ref = models.CharField(max_length=14, blank=True)
    message_ref = models.CharField(max_length=14, blank=True)
    document_number = models.CharField(max_length=70, blank=True)
    is_test = models.BooleanField(default=False)
    # The interchange the message travelled in, byte for byte.
    raw = models.BinaryField()
    # Engine findings (syntax/structure) and business errors, each with its position.
    problems = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    document_type = models.CharField(max_length=30, blank=True)
    document_id = models.UUIDField(null=True, blank=True)
    # CONTRL <-> the message it acknowledges, duplicate -> the original.
    related = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "edi_messages"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["org", "direction", "status"], name="edi_msg_status"),
            models.Index(
                fields=["org", "partner", "message_type", "document_number"], name="edi_msg_doc"
            ),
            models.Index(fields=["org", "interchange_ref"], name="edi_msg_icref"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_type} {self.interchange_ref}/{self.message_ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Findings quote what was received; every path that stores them goes through here.
        self.problems = without_nul(self.problems)
        self.errors = without_nul(self.errors)
        super().save(*args, **kwargs)
