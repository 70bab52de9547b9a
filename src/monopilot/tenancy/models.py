from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from monopilot.tenancy.roles import Role


class Plan(models.TextChoices):
    FREE = "free", "Free"
    GROWTH = "growth", "Growth"
    ENTERPRISE = "enterprise", "Enterprise"


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    locale = models.CharField(max_length=10, default="en")
    currency = models.CharField(max_length=3, default="PLN")
    logo_url = models.URLField(blank=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    modules_enabled = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    # Integrations settings that belong to the tenant as a whole.
    default_rate_limit_tier = models.CharField(max_length=20, default="basic")
    trusted_ips = models.JSONField(default=list, blank=True)
    log_retention_days = models.PositiveIntegerField(default=90)
    tax_id = models.CharField(max_length=10, blank=True)
    gln = models.CharField(max_length=13, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "organizations"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Staff user; logs in with email. Roles live on memberships, one per organisation."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(unique=True)
    language = models.CharField(max_length=5, default="en")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        db_table = "users"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "organization_memberships"
        constraints = [
            models.UniqueConstraint(fields=["user", "org"], name="one_role_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user.email}@{self.org.slug}:{self.role}"


class TenantQuerySet(models.QuerySet[Any]):
    def for_org(self, org: Organization) -> TenantQuerySet:
        return self.filter(org=org)


class TenantModel(models.Model):
    """Base of every tenant table: a UUID id, the owning organisation and audit times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
