"""The lines of staff's bulk uploads hold recipients' addresses and names until the
retention job removes them (``BULK_AWARD_RETENTION_DAYS``). Plugged into privacy next to
the badges handler, so that a student's export shows them and erasure or withdrawal of
consent removes them at once."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy, ngettext

from issuers.models import Institution
from privacy import registry

from ..models import BulkAwardRow

PERSONAL_DATA = (
    gettext_lazy(
        "Bulk awards: the lines of an uploaded file (email address, eppn, name, narrative, "
        "evidence, grade), kept for the upload's report for a limited time."
    ),
)


def _rows_of(user) -> QuerySet[BulkAwardRow]:
    query = Q(email__iexact=user.email)
    if getattr(user, "eppn", ""):
        query |= Q(eppn__iexact=user.eppn)
    return BulkAwardRow.objects.filter(query)


def _of_type(rows: QuerySet[BulkAwardRow], institution: Institution, badge_type: str):
    return rows.filter(
        bulk_award__badge_class__issuer__faculty__institution=institution,
        bulk_award__badge_class__badge_type=badge_type,
    )


def export_user_data(user):
    lines = [
        {
            "badge": row.bulk_award.badge_class.name,
            "uploaded_at": row.bulk_award.created_at,
            "line": row.line,
            "status": row.status,
            "email": row.email,
            "eppn": row.eppn,
            "name": row.name,
            "narrative": row.narrative,
            "evidence_url": row.evidence_url,
            "grade": row.grade,
        }
        for row in _rows_of(user).select_related("bulk_award__badge_class")
    ]
    return {"lines": lines}, []


def erase_user_data(user) -> None:
    _rows_of(user).delete()


def describe_withdrawal(user, institution: Institution, badge_type: str) -> list[str]:
    count = _of_type(_rows_of(user), institution, badge_type).count()
    if not count:
        return []
    return [
        ngettext(
            "%(count)d line about you in an issuer's upload will be removed.",
            "%(count)d lines about you in issuers' uploads will be removed.",
            count,
        )
        % {"count": count}
    ]


def withdraw(user, institution: Institution, badge_type: str) -> int:
    return _of_type(_rows_of(user), institution, badge_type).delete()[0]


def register() -> None:
    registry.register(
        "bulk_awards",
        export=export_user_data,
        erase=erase_user_data,
        describe_withdrawal=describe_withdrawal,
        withdraw=withdraw,
        personal_data=PERSONAL_DATA,
    )
