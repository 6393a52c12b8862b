"""API clients: created and revoked by institution admins; each is a service account."""

from __future__ import annotations

import secrets
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.models import Institution, Issuer, Membership
from issuers.permissions import Action, has_perm
from issuers.roles import Role

from .models import ApiClient, hash_token

TOKEN_PREFIX = "eb_"  # noqa: S105 - a marker that makes leaked tokens easy to find


@transaction.atomic
def api_client_create(
    *, actor, institution: Institution, name: str, issuer: Issuer | None = None
) -> tuple[ApiClient, str]:
    """Create a client that may award the badges of ``institution`` (or of one issuer in it).

    Returns the client and its token; the token is not stored and cannot be shown again.
    """
    scope = issuer or institution
    if issuer is not None and issuer.faculty.institution_id != institution.pk:
        raise ValidationError({"issuer": _("The issuer belongs to another institution.")})
    if not has_perm(actor, Action.MANAGE_MEMBERS, scope):
        raise PermissionDenied(_("You may not create API clients here."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    account = get_user_model().objects.create_user(
        email=f"api-client-{uuid.uuid4().hex}@{institution.schac_home}", first_name=name[:150]
    )
    client = ApiClient.objects.create(
        institution=institution,
        name=name,
        account=account,
        token_prefix=token[:10],
        token_hash=hash_token(token),
        created_by=actor,
    )
    Membership.objects.create(
        user=account,
        role=Role.AWARDER,
        **({"issuer": issuer} if issuer else {"institution": institution}),
    )
    audit_log(
        actor=actor, action="api_client_create", obj=client, institution=institution, summary=name
    )
    return client, token


@transaction.atomic
def api_client_revoke(*, actor, client: ApiClient) -> ApiClient:
    if not has_perm(actor, Action.MANAGE_MEMBERS, client.institution):
        raise PermissionDenied(_("You may not revoke this API client."))
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        client.account.is_active = False
        client.account.save(update_fields=["is_active"])
        audit_log(
            actor=actor,
            action="api_client_revoke",
            obj=client,
            institution=client.institution,
            summary=client.name,
        )
    return client
