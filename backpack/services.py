"""Writes in a student's backpack: sharing choices, collections, imported badges."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from badge_credentials import baking
from badge_credentials.errors import CredentialError, FetchError
from badges.models import Assertion
from badges.privacy_handlers import assertion_delete_by_recipient
from badges.verification import badge_verify, fetch

from .models import Collection, ExternalBadge, HiddenBadge

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _own(user, obj, field: str = "owner") -> None:
    if isinstance(obj, Assertion):
        from .selectors import assertions_of

        if not assertions_of(user).filter(pk=obj.pk).exists():
            raise PermissionDenied
    elif getattr(obj, f"{field}_id") != user.pk:
        raise PermissionDenied


@transaction.atomic
def assertion_update_sharing(
    *, user, assertion: Assertion, is_public: bool, show_evidence: bool, show_grade: bool
) -> Assertion:
    """The student chooses what the public page shows; private is the default."""
    _own(user, assertion, "recipient")
    locked = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if is_public and locked.status != Assertion.Status.ISSUED:
        raise ValidationError(_("Only a valid, issued badge can be made public."))
    locked.is_public = is_public
    locked.show_evidence = is_public and show_evidence
    locked.show_grade = is_public and show_grade
    locked.save(update_fields=["is_public", "show_evidence", "show_grade", "updated_at"])
    return locked


@transaction.atomic
def assertion_hide(*, user, assertion: Assertion, hidden: bool) -> None:
    """Keep a badge out of the backpack list (``hidden``) or show it there again."""
    _own(user, assertion, "recipient")
    if hidden:
        HiddenBadge.objects.get_or_create(owner=user, assertion=assertion)
    else:
        HiddenBadge.objects.filter(owner=user, assertion=assertion).delete()


@transaction.atomic
def assertion_delete(*, user, assertion: Assertion) -> None:
    """Delete a badge from the backpack: out of the student's collections, then revoked and
    erased as ``badges`` decides (copies elsewhere cannot be called back)."""
    _own(user, assertion, "recipient")
    HiddenBadge.objects.filter(assertion=assertion).delete()
    for collection in Collection.objects.filter(owner=user, assertions=assertion):
        collection.assertions.remove(assertion)
    assertion_delete_by_recipient(user=user, assertion=assertion)


def _check_collection_items(user, assertions, external_badges) -> None:
    for assertion in assertions:
        _own(user, assertion, "recipient")
    for external in external_badges:
        _own(user, external)


@transaction.atomic
def collection_create(
    *,
    user,
    name: str,
    description: str = "",
    is_public: bool = False,
    assertions=(),
    external_badges=(),
) -> Collection:
    _check_collection_items(user, assertions, external_badges)
    collection = Collection(owner=user, name=name, description=description, is_public=is_public)
    collection.full_clean()
    collection.save()
    collection.assertions.set(assertions)
    collection.external_badges.set(external_badges)
    return collection


@transaction.atomic
def collection_update(
    *,
    user,
    collection: Collection,
    name: str,
    description: str = "",
    is_public: bool = False,
    assertions=(),
    external_badges=(),
) -> Collection:
    _own(user, collection)
    _check_collection_items(user, assertions, external_badges)
    collection.name, collection.description, collection.is_public = name, description, is_public
    collection.full_clean()
    collection.save()
    collection.assertions.set(assertions)
    collection.external_badges.set(external_badges)
    return collection


@transaction.atomic
def collection_delete(*, user, collection: Collection) -> None:
    _own(user, collection)
    collection.delete()


def _is_ours(url: str) -> bool:
    return bool(url) and urlsplit(url).netloc == urlsplit(settings.SITE_URL).netloc


def _document(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        try:
            _content_type, body = fetch(value)
            document = json.loads(body)
        except (FetchError, ValueError):
            return {"id": value}
        return document if isinstance(document, dict) else {"id": value}
    return {}


def _summary(credential: dict) -> dict:
    """Name, description and issuer of an OB 2.0 assertion or OB 3.0 credential."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    if isinstance(subject, dict) and "achievement" in subject:
        achievement = subject.get("achievement") or {}
        issuer = credential.get("issuer")
        issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
        return {
            "name": achievement.get("name") or credential.get("name") or "",
            "description": achievement.get("description") or "",
            "issuer_name": issuer.get("name") or "",
            "issuer_url": issuer.get("url") or issuer.get("id") or "",
            "issued_on": credential.get("validFrom") or credential.get("issuanceDate") or "",
        }
    badge = _document(credential.get("badge"))
    issuer = _document(badge.get("issuer"))
    return {
        "name": badge.get("name") or "",
        "description": badge.get("description") or "",
        "issuer_name": issuer.get("name") or "",
        "issuer_url": issuer.get("url") or issuer.get("id") or "",
        "issued_on": credential.get("issuedOn") or "",
    }


def _verified(user, data: bytes | str):
    """Verify a badge for ``user`` as the recipient; raise ``ValidationError`` with the
    reasons when it does not verify."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The badge is larger than 5 MB."))
    report = badge_verify(data=data, recipient=user.email)
    if not report.valid:
        failed = [f"{check.name}: {check.reason}" for check in report.checks if not check.passed]
        raise ValidationError(
            _("This badge could not be verified, so it was not imported (%(reasons)s).")
            % {"reasons": "; ".join(failed) or _("unknown format")}
        )
    return raw, report


def _issuer_id(credential: dict) -> str:
    issuer = credential.get("issuer") or (credential.get("badge") or {})
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return str(issuer or "")


def _keep(external: ExternalBadge, *, data: bytes | str, raw: bytes, report) -> ExternalBadge:
    credential = report.credential or {}
    image, image_type = None, ""
    if isinstance(data, bytes):
        try:
            if baking.unbake(data) is not None:
                image = data
                image_type = "image/png" if data.startswith(b"\x89PNG") else "image/svg+xml"
        except CredentialError:
            image = None
    summary = _summary(credential)
    external.ob_format = report.format or ""
    external.original = raw
    external.image, external.image_type = image, image_type
    external.credential = credential
    external.verification = report.to_dict()
    external.name = summary["name"][:255] or _("Unnamed badge")
    external.description = summary["description"]
    external.issuer_name = summary["issuer_name"][:255]
    external.issuer_url = summary["issuer_url"][:500]
    external.issued_on = str(summary["issued_on"])[:64]
    external.save()
    return external


@transaction.atomic
def external_badge_import(*, user, data: bytes | str, source_url: str = "") -> ExternalBadge:
    """Verify a badge from another issuer and keep it, marked as external."""
    raw, report = _verified(user, data)
    credential = report.credential or {}
    identifier = str(credential.get("id") or "")
    if _is_ours(identifier) or _is_ours(source_url):
        raise ValidationError(
            _(
                "This badge was issued on this portal: it is already in the backpack of its recipient."
            )
        )
    if identifier and ExternalBadge.objects.filter(owner=user, credential__id=identifier).exists():
        raise ValidationError(_("You have already imported this badge."))
    return _keep(
        ExternalBadge(owner=user, source_url=source_url), data=data, raw=raw, report=report
    )


@dataclass(frozen=True)
class Upserted:
    """The outcome of ``external_badge_upsert``: the kept badge (``None`` when the credential
    was issued on this portal to the student, who holds it already) and whether it is new."""

    external_badge: ExternalBadge | None
    created: bool


@transaction.atomic
def external_badge_upsert(*, user, data: bytes | str, formats: tuple[str, ...]) -> Upserted:
    """Verify a credential of ``user`` and add it, or replace the one with the same issuer
    and id (the specification's credential equality). Only the given ``formats`` are taken."""
    raw, report = _verified(user, data)
    if report.format not in formats:
        raise ValidationError(_("Only Open Badges 3.0 credentials can be added here."))
    credential = report.credential or {}
    identifier, issuer = str(credential.get("id") or ""), _issuer_id(credential)
    if _is_ours(identifier):
        from .selectors import assertions_of

        if (
            not assertions_of(user)
            .filter(status=Assertion.Status.ISSUED, documents__ob3_credential__id=identifier)
            .exists()
        ):
            raise ValidationError(
                _("This badge was issued on this portal, but it is not one of your valid badges.")
            )
        return Upserted(external_badge=None, created=False)
    # Serialises a student's upserts, so that two copies of one new credential sent at once
    # are kept once.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    same_id = ExternalBadge.objects.filter(owner=user, credential__id=identifier)
    existing = next(
        (badge for badge in same_id if identifier and _issuer_id(badge.credential) == issuer), None
    )
    if existing is not None:
        return Upserted(_keep(existing, data=data, raw=raw, report=report), created=False)
    return Upserted(_keep(ExternalBadge(owner=user), data=data, raw=raw, report=report), True)


@transaction.atomic
def external_badge_delete(*, user, external_badge: ExternalBadge) -> None:
    _own(user, external_badge)
    external_badge.delete()
