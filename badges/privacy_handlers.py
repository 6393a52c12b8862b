"""Badges' personal data, plugged into privacy: export, erasure, consent withdrawal and
retention. Registered from ``BadgesConfig.ready()``; privacy never imports badges.

What a badge keeps after erasure or withdrawal: its badge class, status, dates and the
salted identity hash (so counts and revocation lists stay right), nothing that names the
person. Signed copies (and so the baked images made from them) embed the narrative and
evidence and cannot be edited without breaking their signature, so they are dropped when those
were present.
"""

from __future__ import annotations

import json
import posixpath
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from issuers.audit import audit_log
from issuers.models import Institution
from notifications.services import notifications_about_any
from privacy import registry
from privacy.selectors import unclaimed_award_retention
from privacy.services.retention import delete_in_batches

from . import baked_images
from . import models as badge_models
from .models import Assertion, AssertionDocuments, Award, BadgeClass, Enrollment

# The revocation reason verifiers show; part of the credential's data, so not translated.
WITHDRAWN_BY_RECIPIENT = "withdrawn by the recipient"
DELETED_BY_RECIPIENT = "deleted by the recipient"
ERASED_BEFORE_ISSUE = "the recipient's account was erased before the badge was issued"

OPEN_AWARD_STATUSES = (Award.Status.SCHEDULED, Award.Status.OFFERED)
# Awards that never became a badge; removed once past retention.
UNCLAIMED_AWARD_STATUSES = (
    Award.Status.OFFERED,
    Award.Status.EXPIRED,
    Award.Status.DECLINED,
    Award.Status.WITHDRAWN,
)
CLOSED_ENROLLMENT_STATUSES = (Enrollment.Status.DENIED, Enrollment.Status.WITHDRAWN)

# Free text on an assertion that says something about the person. ``recipient_identity``
# (the plain address, kept until signing) only exists once issuing is in place.
ASSERTION_PERSONAL_TEXT = (
    "recipient_name",
    "narrative",
    "evidence_url",
    "grade",
    "recipient_identity",
)
ASSERTION_SIGNED_COPIES = ("ob2_jws", "ob3_jwt")
AWARD_PERSONAL_TEXT = (
    "recipient_name",
    "narrative",
    "evidence_url",
    "grade",
    "override_reason",
    "withdrawal_reason",
)
BULK_ROW_PERSONAL_TEXT = ("email", "eppn", "name", "narrative", "evidence_url", "grade")
ENROLLMENT_PERSONAL_TEXT = ("narrative", "evidence_url", "denial_reason")

PERSONAL_DATA = (
    gettext_lazy(
        "Awards: the recipient's email address or eppn, name, narrative, evidence and grade."
    ),
    gettext_lazy("Enrolment requests: narrative and evidence, and the reason of a denial."),
    gettext_lazy(
        "Badges: name, narrative, evidence and grade; in the credential the recipient is "
        "identified only by a salted SHA-256 hash."
    ),
)


def _fields(model, names) -> list[str]:
    present = {field.name for field in model._meta.concrete_fields}
    return [name for name in names if name in present]


def _user_awards(user) -> QuerySet[Award]:
    query = Q(recipient=user) | Q(recipient_email__iexact=user.email)
    if getattr(user, "eppn", ""):
        query |= Q(recipient_eppn__iexact=user.eppn)
    return Award.objects.filter(query)


def _user_assertions(user) -> QuerySet[Assertion]:
    query = Q(recipient=user)
    if "recipient_identity" in _fields(Assertion, ["recipient_identity"]):
        query |= Q(recipient_identity__iexact=user.email)
    return Assertion.objects.filter(query)


def _of_type(queryset: QuerySet, institution: Institution, badge_type: str) -> QuerySet:
    return queryset.filter(
        badge_class__issuer__faculty__institution=institution,
        badge_class__badge_type=badge_type,
    )


# --- export ----------------------------------------------------------------------------------


def _badge(badge_class: BadgeClass) -> dict:
    return {
        "id": str(badge_class.public_id),
        "name": badge_class.name,
        "badge_type": badge_class.badge_type,
        "issuer": badge_class.issuer.name,
        "institution": badge_class.issuer.faculty.institution.name,
    }


def _json_bytes(document) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def export_user_data(user) -> tuple[dict, list[tuple[str, bytes]]]:
    related = "badge_class__issuer__faculty__institution"
    files: list[tuple[str, bytes]] = []

    awards = []
    for award in _user_awards(user).select_related(related).order_by("created_at"):
        awards.append(
            {
                "id": str(award.public_id),
                "badge": _badge(award.badge_class),
                "status": award.status,
                "recipient_email": award.recipient_email,
                "recipient_eppn": award.recipient_eppn,
                "recipient_name": award.recipient_name,
                "narrative": award.narrative,
                "evidence_url": award.evidence_url,
                "grade": award.grade,
                "offered_at": award.created_at,
                "expires_at": award.expires_at,
                "decided_at": award.decided_at,
            }
        )
        if award.evidence_file:
            with award.evidence_file.open("rb") as handle:
                name = posixpath.basename(award.evidence_file.name)
                files.append((f"awards/{award.public_id}/evidence/{name}", handle.read()))

    enrollments = [
        {
            "badge": _badge(enrollment.badge_class),
            "status": enrollment.status,
            "narrative": enrollment.narrative,
            "evidence_url": enrollment.evidence_url,
            "denial_reason": enrollment.denial_reason,
            "requested_at": enrollment.created_at,
            "decided_at": enrollment.decided_at,
        }
        for enrollment in Enrollment.objects.filter(user=user)
        .select_related(related)
        .order_by("created_at")
    ]

    assertions = []
    for assertion in (
        _user_assertions(user).select_related(related, "documents").order_by("issued_on")
    ):
        assertions.append(
            {
                "id": assertion.public_id,
                "badge": _badge(assertion.badge_class),
                "status": assertion.status,
                "recipient_name": assertion.recipient_name,
                "narrative": assertion.narrative,
                "evidence_url": assertion.evidence_url,
                "grade": assertion.grade,
                "issued_on": assertion.issued_on,
                "expires_at": assertion.expires_at,
                "revoked_at": assertion.revoked_at,
                "revocation_reason": assertion.revocation_reason,
                "is_public": assertion.is_public,
                "show_evidence": assertion.show_evidence,
                "show_grade": assertion.show_grade,
            }
        )
        files.extend(_assertion_files(assertion))
    return {"awards": awards, "enrollments": enrollments, "assertions": assertions}, files


def _assertion_files(assertion: Assertion) -> list[tuple[str, bytes]]:
    base = f"assertions/{assertion.public_id}"
    files = []
    for kind, name in (
        (baked_images.PNG, "badge.png"),
        (baked_images.SVG, "badge.svg"),
        (baked_images.SVG_CREDENTIAL, "ob3-credential.svg"),
    ):
        if image := baked_images.baked(assertion, kind):
            files.append((f"{base}/{name}", image))
    if assertion.ob2_assertion:
        files.append((f"{base}/ob2-assertion.json", _json_bytes(assertion.ob2_assertion)))
    if assertion.ob2_jws:
        files.append((f"{base}/ob2-assertion.jws", assertion.ob2_jws.encode()))
    if assertion.ob3_credential:
        files.append((f"{base}/ob3-credential.json", _json_bytes(assertion.ob3_credential)))
    if assertion.ob3_jwt:
        files.append((f"{base}/ob3-credential.jwt", assertion.ob3_jwt.encode()))
    return files


# --- erasing personal data on one object ------------------------------------------------------


def _without_ob2_personal_data(document: dict | None) -> tuple[dict | None, bool]:
    if not document:
        return document, False
    cleaned = {
        key: value for key, value in document.items() if key not in ("narrative", "evidence")
    }
    return cleaned, cleaned != document


def _without_ob3_personal_data(document: dict | None) -> tuple[dict | None, bool]:
    if not document:
        return document, False
    cleaned = {key: value for key, value in document.items() if key != "evidence"}
    subject = cleaned.get("credentialSubject")
    if isinstance(subject, dict):
        cleaned["credentialSubject"] = {
            key: value for key, value in subject.items() if key not in ("id", "name", "result")
        }
    changed = cleaned != document
    if changed:
        # The proof no longer matches the edited document.
        cleaned.pop("proof", None)
    return cleaned, changed


def _erase_assertion(assertion: Assertion) -> list[str]:
    """Blank what names or describes the person; returns the fields to save."""
    changed = _fields(Assertion, ASSERTION_PERSONAL_TEXT)
    for name in changed:
        setattr(assertion, name, "")
    assertion.is_public = False
    assertion.show_evidence = False
    assertion.show_grade = False
    changed += ["is_public", "show_evidence", "show_grade"]
    return changed


def _erase_documents(assertion: Assertion) -> None:
    """Take what names or describes the person out of the signed documents (the signatures,
    which no longer match, go, and with them the baked images), then store the public answers again for
    the assertion's new status. Called once the assertion itself is saved."""
    stored = AssertionDocuments.objects.filter(pk=assertion.pk).first()
    if stored is None:
        return
    ob2, ob2_changed = _without_ob2_personal_data(stored.ob2_assertion)
    ob3, ob3_changed = _without_ob3_personal_data(stored.ob3_credential)
    if ob2_changed or ob3_changed:
        stored.ob2_assertion = ob2
        stored.ob3_credential = ob3
        for name in ASSERTION_SIGNED_COPIES:
            setattr(stored, name, "")
    stored.refresh_published(assertion)
    stored.save()


def _delete_file_after_commit(field_file) -> None:
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def _erase_award(award: Award) -> list[str]:
    changed = _fields(Award, AWARD_PERSONAL_TEXT)
    for name in changed:
        setattr(award, name, "")
    if award.evidence_file:
        _delete_file_after_commit(award.evidence_file)
        award.evidence_file = ""
        changed.append("evidence_file")
    return changed


def _optional_model(name: str):
    # Bulk uploads and notifications come with the awarding flows; erase them where present.
    return getattr(badge_models, name, None)


def _mentions(user, text: str) -> bool:
    lowered = text.lower()
    identifiers = [user.email, getattr(user, "eppn", "")]
    return any(identifier and identifier.lower() in lowered for identifier in identifiers)


def _erase_uploads_and_notifications(
    user, award_ids: list[int], assertion_ids: list[int], badge_classes: QuerySet | None = None
) -> None:
    """Bulk (CSV) uploads name the recipient in their staged rows and in the file kept until
    processing; a failed notification may quote the address in its error."""
    bulk_award_model = _optional_model("BulkAward")
    bulk_row_model = _optional_model("BulkAwardRow")
    eppn = getattr(user, "eppn", "")
    if bulk_row_model is not None:
        query = Q(email__iexact=user.email) | Q(award_id__in=award_ids)
        if eppn:
            query |= Q(eppn__iexact=eppn)
        rows = bulk_row_model.objects.filter(query)
        if badge_classes is not None:
            rows = rows.filter(bulk_award__badge_class__in=badge_classes)
        rows.update(**dict.fromkeys(_fields(bulk_row_model, BULK_ROW_PERSONAL_TEXT), ""))
    if bulk_award_model is not None and "source" in _fields(bulk_award_model, ["source"]):
        query = Q(source__icontains=user.email)
        if eppn:
            query |= Q(source__icontains=eppn)
        uploads = bulk_award_model.objects.filter(query)
        if badge_classes is not None:
            uploads = uploads.filter(badge_class__in=badge_classes)
        for upload in uploads.select_for_update(of=("self",)):
            lines = upload.source.splitlines(keepends=True)
            upload.source = "".join(line for line in lines if not _mentions(user, line))
            upload.save(update_fields=["source"])
    for model, ids in ((badge_models.Award, award_ids), (badge_models.Assertion, assertion_ids)):
        notifications_about_any(model, ids).update(last_error="")


# --- erasure ---------------------------------------------------------------------------------


def erase_user_data(user) -> None:
    now = timezone.now()
    _erase_uploads_and_notifications(
        user,
        award_ids=list(_user_awards(user).values_list("pk", flat=True)),
        assertion_ids=list(_user_assertions(user).values_list("pk", flat=True)),
    )
    for assertion in _user_assertions(user).select_for_update(of=("self",)):
        fields = _erase_assertion(assertion)
        assertion.recipient = None
        fields.append("recipient")
        if assertion.status in (
            Assertion.Status.PENDING,
            Assertion.Status.SIGNING,
            Assertion.Status.FAILED,
        ):
            # Never issue a badge to an erased account; a worker signing it now finds the
            # status changed and writes nothing.
            assertion.status = Assertion.Status.REVOKED
            assertion.revoked_at = now
            assertion.revocation_reason = ERASED_BEFORE_ISSUE
            fields += ["status", "revoked_at", "revocation_reason"]
        assertion.save(update_fields=[*fields, "updated_at"])
        _erase_documents(assertion)

    for award in _user_awards(user).select_for_update(of=("self",)):
        fields = _erase_award(award)
        award.recipient = None
        award.recipient_email = ""
        award.recipient_eppn = ""
        fields += ["recipient", "recipient_email", "recipient_eppn"]
        if award.status in OPEN_AWARD_STATUSES:
            award.status = Award.Status.WITHDRAWN
            award.decided_at = now
            fields += ["status", "decided_at"]
        award.save(update_fields=fields)

    enrollments = Enrollment.objects.filter(user=user)
    enrollments.filter(status=Enrollment.Status.PENDING).update(
        status=Enrollment.Status.WITHDRAWN, decided_at=now
    )
    enrollments.update(**dict.fromkeys(ENROLLMENT_PERSONAL_TEXT, ""))


# --- withdrawal of consent ------------------------------------------------------------------


def describe_withdrawal(user, institution: Institution, badge_type: str) -> list[str]:
    assertions = list(
        _of_type(_user_assertions(user), institution, badge_type).select_related("badge_class")
    )
    open_awards = _of_type(_user_awards(user), institution, badge_type).filter(
        status__in=OPEN_AWARD_STATUSES
    )
    pending_enrollments = _of_type(
        Enrollment.objects.filter(user=user, status=Enrollment.Status.PENDING),
        institution,
        badge_type,
    )
    lines = []
    if assertions:
        names = ", ".join(sorted({assertion.badge_class.name for assertion in assertions}))
        lines.append(
            ngettext(
                "%(count)d badge will be hidden and revoked, and the personal data on it "
                "erased: %(names)s.",
                "%(count)d badges will be hidden and revoked, and the personal data on them "
                "erased: %(names)s.",
                len(assertions),
            )
            % {"count": len(assertions), "names": names}
        )
        lines.append(
            _(
                "Anyone who checks these badges, also copies you downloaded or shared, will "
                "see that they were withdrawn by you."
            )
        )
    if count := open_awards.count():
        lines.append(
            ngettext(
                "%(count)d badge offered to you will be withdrawn; you can no longer claim it.",
                "%(count)d badges offered to you will be withdrawn; you can no longer claim them.",
                count,
            )
            % {"count": count}
        )
    if count := pending_enrollments.count():
        lines.append(
            ngettext(
                "%(count)d enrolment request will be withdrawn.",
                "%(count)d enrolment requests will be withdrawn.",
                count,
            )
            % {"count": count}
        )
    if not lines:
        lines.append(_("You hold no badges of this type from this institution."))
    return lines


def withdraw(user, institution: Institution, badge_type: str) -> int:
    now = timezone.now()
    changed = 0
    assertions = _of_type(_user_assertions(user), institution, badge_type)
    _erase_uploads_and_notifications(
        user,
        award_ids=list(
            _of_type(_user_awards(user), institution, badge_type).values_list("pk", flat=True)
        ),
        assertion_ids=list(assertions.values_list("pk", flat=True)),
        badge_classes=BadgeClass.objects.filter(
            issuer__faculty__institution=institution, badge_type=badge_type
        ),
    )
    for assertion in assertions.select_for_update(of=("self",)):
        fields = _erase_assertion(assertion)
        if assertion.status != Assertion.Status.REVOKED:
            assertion.status = Assertion.Status.REVOKED
            assertion.revoked_at = now
            assertion.revocation_reason = WITHDRAWN_BY_RECIPIENT
            fields += ["status", "revoked_at", "revocation_reason"]
        assertion.save(update_fields=[*fields, "updated_at"])
        _erase_documents(assertion)
        changed += 1

    awards = _of_type(_user_awards(user), institution, badge_type)
    for award in awards.select_for_update(of=("self",)):
        fields = _erase_award(award)
        if award.status in OPEN_AWARD_STATUSES:
            award.status = Award.Status.WITHDRAWN
            award.decided_at = now
            fields += ["status", "decided_at"]
        award.save(update_fields=fields)
        changed += 1

    enrollments = _of_type(Enrollment.objects.filter(user=user), institution, badge_type)
    changed += enrollments.filter(status=Enrollment.Status.PENDING).update(
        status=Enrollment.Status.WITHDRAWN, decided_at=now
    )
    enrollments.update(**dict.fromkeys(ENROLLMENT_PERSONAL_TEXT, ""))
    return changed


# --- one badge deleted by its recipient ------------------------------------------------------


@transaction.atomic
def assertion_delete_by_recipient(*, user, assertion: Assertion) -> Assertion:
    """The recipient deletes one badge from their backpack.

    Copies of a credential may be anywhere (downloaded, shared, in a wallet) and cannot be
    called back, so deleting revokes it: whoever checks a copy learns that its recipient
    withdrew it. What names or describes the person is erased from it, and it is no longer
    linked to the account (so it leaves the backpack and the data export). The issuer keeps
    its records: the award, and the badge as revoked, with dates, for its counts and its
    revocation list. Written to the institution's audit trail.
    """
    from .awarding.selectors import student_assertions

    if not student_assertions(user).filter(pk=assertion.pk).exists():
        raise PermissionDenied
    locked = Assertion.objects.select_for_update().get(pk=assertion.pk)
    fields = _erase_assertion(locked)
    if locked.status != Assertion.Status.REVOKED:
        locked.status = Assertion.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revocation_reason = WITHDRAWN_BY_RECIPIENT
        fields += ["status", "revoked_at", "revocation_reason"]
    locked.recipient = None
    fields.append("recipient")
    locked.save(update_fields=[*fields, "updated_at"])
    _erase_documents(locked)
    notifications_about_any(Assertion, [locked.pk]).update(last_error="")
    audit_log(
        actor=user,
        action="assertion_delete_by_recipient",
        obj=locked,
        subject=user,
        institution=locked.badge_class.issuer.faculty.institution,
        summary=DELETED_BY_RECIPIENT,
    )
    return locked


# --- retention -------------------------------------------------------------------------------


def _delete_evidence_files(awards: list[Award]) -> None:
    for award in awards:
        _delete_file_after_commit(award.evidence_file)


def purge_expired(now: datetime) -> int:
    """Remove awards that never became a badge and closed enrolment requests once past
    retention, per institution × type (the statement's retention or the platform's limit,
    whichever is shorter)."""
    awards = Award.objects.filter(status__in=UNCLAIMED_AWARD_STATUSES).annotate(
        kept_since=Coalesce("decided_at", "expires_at", "created_at")
    )
    enrollments = Enrollment.objects.filter(status__in=CLOSED_ENROLLMENT_STATUSES).annotate(
        kept_since=Coalesce("decided_at", "created_at")
    )
    type_path = "badge_class__badge_type"
    institution_path = "badge_class__issuer__faculty__institution_id"
    pairs = set(awards.values_list(institution_path, type_path).distinct())
    pairs |= set(enrollments.values_list(institution_path, type_path).distinct())
    total = 0
    for institution_id, badge_type in sorted(pairs):
        cutoff = now - unclaimed_award_retention(
            institution_id=institution_id, badge_type=badge_type
        )
        of_type = {
            institution_path: institution_id,
            type_path: badge_type,
            "kept_since__lte": cutoff,
        }
        total += delete_in_batches(awards.filter(**of_type), before_delete=_delete_evidence_files)
        total += delete_in_batches(enrollments.filter(**of_type))
    return total


def related_types(user) -> set[tuple[int, str]]:
    institution = "badge_class__issuer__faculty__institution_id"
    badge_type = "badge_class__badge_type"
    pairs: set[tuple[int, str]] = set()
    for queryset in (
        _user_assertions(user),
        _user_awards(user),
        Enrollment.objects.filter(user=user),
    ):
        pairs.update(queryset.values_list(institution, badge_type).distinct())
    return pairs


def register() -> None:
    registry.register(
        "badges",
        export=export_user_data,
        erase=erase_user_data,
        describe_withdrawal=describe_withdrawal,
        withdraw=withdraw,
        purge=purge_expired,
        personal_data=PERSONAL_DATA,
        related_types=related_types,
    )
