"""A student's export of all their personal data (GDPR art. 15 and 20).

``data_export_request`` records the request and queues ``build_data_export`` after commit;
the task claims the export (PENDING → BUILDING) so that a duplicated message builds once,
asks every registered app for its data and files, and stores the zip for
``PRIVACY_EXPORT_VALIDITY_DAYS``. Only the student can download it; the retention job
removes it when it expires.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.models import AuditEntry
from notifications.services import notification_queue

from .. import registry
from ..models import ConsentRecord, DataExport, Objection, PrivacyAction

logger = logging.getLogger(__name__)

EXPORT_READY = "export_ready"

EXPORT_FORMAT = "edubadges-personal-data/1"
# A zip entry's date; fixed, so that the same data gives the same archive.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _validity() -> timedelta:
    return timedelta(days=settings.PRIVACY_EXPORT_VALIDITY_DAYS)


@transaction.atomic
def data_export_request(*, user) -> DataExport:
    """Ask for an export. While one is being prepared, asking again returns that one."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to continue."))
    in_progress = (
        DataExport.objects.select_for_update()
        .filter(user=user, status__in=[DataExport.Status.PENDING, DataExport.Status.BUILDING])
        .defer("content")
        .first()
    )
    if in_progress is not None:
        return in_progress
    export = DataExport.objects.create(user=user)
    audit_log(
        action=PrivacyAction.EXPORT_REQUESTED,
        actor=user,
        subject=user,
        obj=export,
        summary="",
        data={"export": str(export.public_id)},
    )
    from ..tasks import build_data_export

    build_data_export.delay_on_commit(export.pk)
    return export


def data_export_build(*, export_id: int) -> bool:
    """Build the zip of a pending export. Returns False when another worker has it or it
    is done already (a duplicated or retried message)."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return False
    export = DataExport.objects.select_related("user").defer("content").get(pk=export_id)
    try:
        content = export_archive(export.user)
    except OSError:
        # Transient (storage, network): give it back, so that the task's retry claims it.
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.PENDING)
        raise
    except Exception:
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)
        raise
    with transaction.atomic():
        now = timezone.now()
        done = DataExport.objects.filter(pk=export_id, status=DataExport.Status.BUILDING).update(
            status=DataExport.Status.READY,
            content=content,
            size=len(content),
            ready_at=now,
            expires_at=now + _validity(),
        )
        if not done:  # erased or purged while it was being built
            return False
        audit_log(
            action=PrivacyAction.EXPORT_READY,
            actor=None,
            subject=export.user,
            obj=export,
            summary="",
            data={"export": str(export.public_id), "size": len(content)},
        )
        notification_queue(EXPORT_READY, target=export, key=f"{EXPORT_READY}:{export.pk}")
    return True


def export_ready_message(notification) -> EmailMessage | None:
    """The "your data are ready" email (through the outbox); None once the export expired or
    was deleted, or the account was erased."""
    export = (
        DataExport.objects.select_related("user")
        .defer("content")
        .filter(pk=notification.target_id)
        .first()
    )
    if export is None or not export.is_downloadable or not export.user.is_active:
        return None
    link = settings.SITE_URL + reverse("privacy:overview")
    language = export.user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your personal data are ready to download")
        body = render_to_string("privacy/email/export_ready.txt", {"export": export, "link": link})
    notification.language = language
    return EmailMessage(subject, body, None, [export.user.email])


@transaction.atomic
def data_export_download(*, user, export: DataExport) -> bytes:
    """The zip, for its owner only, while it has not expired."""
    if export.user_id != user.pk or not export.is_downloadable:
        raise PermissionDenied
    DataExport.objects.filter(pk=export.pk).update(downloaded_at=timezone.now())
    audit_log(
        action=PrivacyAction.EXPORT_DOWNLOADED,
        actor=user,
        subject=user,
        obj=export,
        summary="",
        data={"export": str(export.public_id)},
    )
    content = DataExport.objects.values_list("content", flat=True).get(pk=export.pk)
    return bytes(content)


# --- the archive -----------------------------------------------------------------------------


def _profile(user) -> dict:
    profile = {
        "email": user.email,
        "first_name": getattr(user, "first_name", ""),
        "last_name": getattr(user, "last_name", ""),
        "eppn": getattr(user, "eppn", ""),
        "preferred_language": getattr(user, "preferred_language", ""),
        "date_joined": getattr(user, "date_joined", None),
        "last_login": user.last_login,
    }
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        profile["email_addresses"] = [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ]
    return profile


def _consents(user) -> list[dict]:
    return [
        {
            "institution": record.institution.name,
            "badge_type": record.badge_type,
            "statement_version": record.statement.version,
            "legal_basis": record.legal_basis,
            "kind": record.kind,
            "given_at": record.created_at,
            "withdrawn_at": record.withdrawn_at,
        }
        for record in ConsentRecord.objects.filter(user=user).select_related(
            "institution", "statement"
        )
    ]


def _objections(user) -> list[dict]:
    return [
        {
            "institution": objection.institution.name,
            "badge_type": objection.badge_type,
            "legal_basis": objection.legal_basis,
            "reason": objection.reason,
            "made_at": objection.created_at,
            "institution_notified_at": objection.institution_notified_at,
        }
        for objection in Objection.objects.filter(user=user).select_related("institution")
    ]


def _privacy_log(user) -> list[dict]:
    return [
        {
            "at": entry.created_at,
            "action": entry.action,
            "institution": entry.institution.name if entry.institution else None,
            "badge_type": entry.badge_type,
            "statement_version": entry.data.get("version"),
        }
        for entry in AuditEntry.objects.filter(
            subject=user, action__in=PrivacyAction.values
        ).select_related("institution")
    ]


def _entry(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def export_archive(user) -> bytes:
    """The zip: ``data.json`` with everything, each app's files under its own folder."""
    data: dict = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "profile": _profile(user),
        "consents": _consents(user),
        "objections": _objections(user),
        "privacy_log": _privacy_log(user),
    }
    files: list[tuple[str, bytes]] = []
    for handler in registry.handlers():
        handler_data, handler_files = handler.export(user)
        data[handler.name] = handler_data
        files.extend((f"{handler.name}/{path}", content) for path, content in handler_files)
    with translation.override(getattr(user, "preferred_language", None) or "nl"):
        readme = render_to_string("privacy/export_readme.txt", {"handlers": registry.handlers()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("README.txt"), readme)
        archive.writestr(
            _entry("data.json"),
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
        for path, content in files:
            archive.writestr(_entry(path), content)
    return buffer.getvalue()
