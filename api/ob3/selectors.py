"""What a client acting for a student may read: only that student's credentials, never a
revoked one, never one of a badge type whose consent the student withdrew."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from oauth2_provider.models import AbstractApplication as Application
from oauth2_provider.models import get_access_token_model

from backpack.models import ExternalBadge
from badge_credentials.verify import FORMAT_OB3_DATA_INTEGRITY, FORMAT_OB3_VC_JWT
from badges.awarding.selectors import student_assertions
from badges.models import Assertion
from privacy.models import ConsentRecord, RecordKind

from .scopes import DESCRIPTIONS

OB3_FORMATS = (FORMAT_OB3_DATA_INTEGRITY, FORMAT_OB3_VC_JWT)


def _withdrawn_types(user) -> set[tuple[int, str]]:
    """(institution id, badge type) pairs whose consent the student withdrew and did not
    give again."""
    consents = ConsentRecord.objects.filter(user=user, kind=RecordKind.CONSENT)
    withdrawn = set(
        consents.filter(withdrawn_at__isnull=False).values_list("institution_id", "badge_type")
    )
    return withdrawn - set(consents.active().values_list("institution_id", "badge_type"))


def served_assertions(user) -> QuerySet[Assertion]:
    """The student's issued badges that the Open Badges API may hand out."""
    assertions = student_assertions(user).filter(
        status=Assertion.Status.ISSUED, documents__ob3_credential__isnull=False
    )
    for institution_id, badge_type in _withdrawn_types(user):
        assertions = assertions.exclude(
            badge_class__issuer__faculty__institution_id=institution_id,
            badge_class__badge_type=badge_type,
        )
    return assertions


def served_external_badges(user) -> QuerySet[ExternalBadge]:
    """Open Badges 3.0 credentials of other issuers that the student keeps here."""
    return ExternalBadge.objects.filter(owner=user, ob_format__in=OB3_FORMATS)


@dataclass(frozen=True)
class CredentialPage:
    total: int
    # Issued badges (``Assertion``) and imported credentials (``ExternalBadge``), in order.
    items: list[Assertion | ExternalBadge]


def credential_page(user, *, offset: int, limit: int, since: datetime | None) -> CredentialPage:
    """One page of the student's credentials, oldest first, so that pages stay stable while
    new credentials are added at the end. ``since`` keeps those issued after it (for
    imported credentials: added after it)."""
    assertions = served_assertions(user)
    external_badges = served_external_badges(user)
    if since is not None:
        assertions = assertions.filter(issued_on__gt=since)
        external_badges = external_badges.filter(imported_at__gt=since)
    keys = sorted(
        [(issued_on, 0, pk) for pk, issued_on in assertions.values_list("pk", "issued_on")]
        + [(added, 1, pk) for pk, added in external_badges.values_list("pk", "imported_at")]
    )
    page = keys[offset : offset + limit]
    loaded = (
        Assertion.objects.select_related("documents")
        .only("pk", "documents__ob3_credential")
        .in_bulk([pk for _date, kind, pk in page if kind == 0]),
        ExternalBadge.objects.only("pk", "ob_format", "credential", "original").in_bulk(
            [pk for _date, kind, pk in page if kind == 1]
        ),
    )
    return CredentialPage(total=len(keys), items=[loaded[kind][pk] for _date, kind, pk in page])


@dataclass(frozen=True)
class ConnectedClient:
    application: Application
    scopes: list[str]
    # When the client last received a token: at the authorisation or a later refresh.
    last_renewed: datetime

    @property
    def permissions(self) -> list[str]:
        return [DESCRIPTIONS[scope] for scope in self.scopes if scope in DESCRIPTIONS]


def connected_clients(user) -> list[ConnectedClient]:
    """The clients that can still act for the student: those holding an access token that
    has not expired or a refresh token that was not revoked."""
    tokens = (
        get_access_token_model()
        .objects.filter(user=user, application__ob_registration__isnull=False)
        .filter(
            Q(expires__gt=timezone.now())
            | Q(refresh_token__isnull=False, refresh_token__revoked__isnull=True)
        )
        .select_related("application__ob_registration")
        .order_by("created")
    )
    clients: dict[int, ConnectedClient] = {}
    for token in tokens:
        known = clients.get(token.application_id)
        clients[token.application_id] = ConnectedClient(
            application=token.application,
            scopes=sorted({*token.scope.split(), *(known.scopes if known else ())}),
            last_renewed=token.created,
        )
    return sorted(clients.values(), key=lambda client: client.application.name.lower())
