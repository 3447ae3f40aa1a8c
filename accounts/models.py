"""Users of the product and the audit trail of what they did."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac

from core.validators import validate_no_control_characters


class Role(models.TextChoices):
    ADMIN = "admin", "Agency admin"
    CLIENT = "client", "Client user"


class ProductUserManager(UserManager["User"]):
    """Superusers are always agency admins; everyone else must be given a role explicitly."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra["role"] = Role.ADMIN
        extra["client"] = None
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who logs in: an agency admin, or a client user who belongs to exactly one client.

    ``is_staff`` mirrors the role so that only admins can open the Django admin; an active admin
    holds every permission (admins are peers, the product has no finer-grained staff roles).
    """

    # AbstractUser's, plus: names end up in e-mail headers, exports and PDFs.
    first_name = models.CharField(
        "first name", max_length=150, blank=True, validators=[validate_no_control_characters]
    )
    last_name = models.CharField(
        "last name", max_length=150, blank=True, validators=[validate_no_control_characters]
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="The client a client user belongs to. Empty for agency admins.",
    )
    deactivated_with_client = models.BooleanField(
        default=False,
        help_text="Set when disabling the client deactivated this user: re-enabling the client "
        "reactivates exactly these users, not the ones an admin deactivated on their own.",
    )
    token_generation = models.PositiveIntegerField(
        default=0,
        help_text="Raised to end every session and API token issued before (client disabled).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ProductUserManager] = ProductUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_client_matches_role",
                condition=(
                    models.Q(role=Role.CLIENT, client__isnull=False)
                    | models.Q(role=Role.ADMIN, client__isnull=True)
                ),
                violation_error_message="A client user needs a client; an admin has none.",
            ),
            models.CheckConstraint(
                name="superuser_is_admin",
                condition=models.Q(is_superuser=False) | models.Q(role=Role.ADMIN),
                violation_error_message="A superuser is always an admin.",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_staff = self.role == Role.ADMIN
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        """Sessions die with a password change (Django's rule) and with ``token_generation``."""
        if not self.token_generation:
            return str(super()._get_session_auth_hash(secret=secret))  # type: ignore[misc]
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}|{self.token_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        if self.is_active and self.is_admin:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_admin:
            return True
        return super().has_module_perms(app_label)


class AuditAction(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logged out"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    STATUS_CHANGE = "status_change", "Changed status"
    PASSWORD_RESET = "password_reset", "Reset a password"
    PASSWORD_CHANGE = "password_change", "Changed own password"
    UPLOAD = "upload", "Uploaded a file"
    UNDO = "undo", "Undid an upload"
    INGESTION_TRIGGER = "ingestion_trigger", "Triggered an ingestion"
    BACKFILL = "backfill", "Started a backfill"
    RESOLVE = "resolve", "Resolved an ingestion run"
    EXPORT = "export", "Exported data"


class AuditLog(models.Model):
    """Who did what, when and from where. Written only through ``accounts.audit.audit_record``."""

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="Kept when the user is later deleted."
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    entity_type = models.CharField(max_length=64, blank=True)
    entity_id = models.CharField(max_length=64, blank=True)
    entity_label = models.CharField(max_length=255, blank=True)
    old_values = models.JSONField(null=True, blank=True)
    new_values = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx")]

    def __str__(self) -> str:
        return f"{self.username or 'system'} {self.action} {self.entity_type} {self.entity_label}"


def acting_user(user: object) -> User:
    """``request.user`` of a view that requires login, typed as the product's user."""
    if not isinstance(user, User):
        raise TypeError("an authenticated user is required here")
    return user


class LoginAttemptCount(models.Model):
    """Login attempts within a window, per username or per client address (``key``).

    Written only by ``accounts.login_guard`` with one atomic ``INSERT ... ON CONFLICT DO UPDATE
    ... RETURNING`` per attempt, so parallel attempts can neither lose a count nor slip past the
    limit.
    """

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_ends:%Y-%m-%d %H:%M}"
