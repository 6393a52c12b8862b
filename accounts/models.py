from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: student, institution staff or platform admin. Signs in by email."""

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    eppn = models.CharField(
        _("eduPersonPrincipalName"),
        max_length=255,
        blank=True,
        help_text=_("The identity at the home institution, e.g. s1234567@university.nl."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
    )
    is_staff = models.BooleanField(
        _("platform admin"),
        default=False,
        help_text=_("May sign in to the platform administration."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email


class InstitutionIdentity(models.Model):
    """An identity at an institution (eppn within a SCHAC home organisation) that a sign-in
    through SURFconext or eduID vouched for. Offers sent to the eppn find the person by it."""

    class Source(models.TextChoices):
        SURFCONEXT = "surfconext", "SURFconext"
        EDUID = "eduid", "eduID"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="institution_identities")
    eppn = models.CharField(_("eduPersonPrincipalName"), max_length=255, unique=True)
    schac_home = models.CharField(_("SCHAC home organisation"), max_length=255)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("institution identity")
        verbose_name_plural = _("institution identities")
        ordering = ["schac_home", "eppn"]

    def __str__(self) -> str:
        return f"{self.eppn} ({self.get_source_display()})"
