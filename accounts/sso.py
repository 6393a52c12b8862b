"""What a sign-in through SURFconext or eduID tells about the person, and what follows.

SURFconext (staff): ``schac_home_organization`` picks the institution, and
``eduperson_principal_name`` (checked against the institution's eppn pattern) becomes the
person's eppn there; open invitations of that institution for the eppn or a verified address
become roles. eduID (students): its subject is kept by allauth (``SocialAccount.uid``), and the
institution identities it reports (eppn, schac_home) are kept, so that offers made to an eppn
find the student. Addresses the provider reports as verified become verified addresses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from issuers import services as issuer_services
from issuers.models import Institution, Membership

from . import identities
from .models import InstitutionIdentity

SURFCONEXT = InstitutionIdentity.Source.SURFCONEXT
EDUID = InstitutionIdentity.Source.EDUID
GENERIC_EPPN = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What the sign-in found, for the page the person lands on."""

    provider: str
    institution: Institution | None = None
    schac_home: str = ""
    eppn: str = ""
    eppn_refused: bool = False
    new_roles: list[Membership] = field(default_factory=list)
    is_staff_member: bool = False


def _values(claim) -> list[str]:
    if isinstance(claim, str):
        return [claim] if claim.strip() else []
    if isinstance(claim, list | tuple):
        return [value for value in claim if isinstance(value, str) and value.strip()]
    return []


def claims_of(extra_data: dict) -> dict:
    """The claims allauth stored: userinfo, else the ID token."""
    return extra_data.get("userinfo") or extra_data.get("id_token") or extra_data


def eppn_fits(institution: Institution | None, eppn: str) -> bool:
    match = GENERIC_EPPN.match(eppn)
    if not match:
        return False
    if institution is None or not institution.eppn_pattern:
        return True
    try:
        return bool(re.search(institution.eppn_pattern, eppn, re.IGNORECASE))
    except re.error:
        return False


def surfconext_vouches_for(claims: dict, email: str) -> bool:
    """An address in the domain of the onboarded institution that SURFconext says the person
    signed in at."""
    domain = (email or "").rpartition("@")[2].lower()
    schac_home = next(iter(_values(claims.get("schac_home_organization"))), "").lower()
    if not domain or not _within(domain, schac_home):
        return False
    return Institution.objects.filter(schac_home=schac_home).exists()


def _within(domain: str, schac_home: str) -> bool:
    return bool(schac_home) and (domain == schac_home or domain.endswith("." + schac_home))


def _eduid_eppns(claims: dict):
    """eduID's eppns, each with the SCHAC home it belongs to (a reported home that its domain
    lies in, else its domain) and that institution, if it is onboarded."""
    homes = [value.lower() for value in _values(claims.get("schac_home_organization"))]
    for eppn in _values(claims.get("eduperson_principal_name")):
        eppn = eppn.lower()
        match = GENERIC_EPPN.match(eppn)
        if not match:
            continue
        domain = match.group(1)
        schac_home = next((home for home in homes if _within(domain, home)), domain)
        yield eppn, schac_home, Institution.objects.filter(schac_home=schac_home).first()


def eppns_naming_a_person(provider: str, claims: dict) -> list[str]:
    """The eppns this sign-in vouches for that lie within an onboarded institution and fit its
    pattern: each names one person there, so an account that already holds one is theirs.
    SURFconext vouches for the eppn of the institution the person signed in at; eduID for the
    institution accounts the person linked."""
    if provider == SURFCONEXT:
        eppn = next(iter(_values(claims.get("eduperson_principal_name"))), "").lower()
        schac_home = next(iter(_values(claims.get("schac_home_organization"))), "").lower()
        institution = Institution.objects.filter(schac_home=schac_home).first()
        candidates = [(eppn, schac_home, institution)] if eppn and schac_home else []
    else:
        candidates = _eduid_eppns(claims)
    found = []
    for eppn, schac_home, institution in candidates:
        match = GENERIC_EPPN.match(eppn)
        if (
            match
            and institution is not None
            and _within(match.group(1), schac_home)
            and eppn_fits(institution, eppn)
        ):
            found.append(eppn)
    return found


def account_of_eppns(provider: str, claims: dict):
    """The one active account that already holds an eppn this sign-in vouches for (see
    :func:`eppns_naming_a_person`), or None (none, or several: then nothing is guessed)."""
    owners = {identities.eppn_owner(eppn) for eppn in eppns_naming_a_person(provider, claims)}
    owners.discard(None)
    if len(owners) != 1:
        return None
    (owner,) = owners
    return owner if owner.is_active else None


def _identity_keep(*, user, eppn: str, schac_home: str, source: str) -> bool:
    """Keep ``eppn`` as an identity of ``user``; an eppn already held by another account stays
    with it (one person, one eppn) and is reported."""
    now = timezone.now()
    identity, created = InstitutionIdentity.objects.get_or_create(
        eppn=eppn,
        defaults={"user": user, "schac_home": schac_home, "source": source, "last_seen_at": now},
    )
    if identity.user_id != user.pk:
        logger.warning("eppn %s signed in for another account; left with the first", eppn)
        return False
    if not created:
        identity.schac_home = schac_home
        identity.last_seen_at = now
        identity.save(update_fields=["schac_home", "last_seen_at"])
    return True


def _keep_verified_emails(user, addresses) -> None:
    for address in addresses:
        if not address.verified or not address.email:
            continue
        owner = identities.email_owner(address.email)
        if owner is None:
            identities.email_bind(user=user, email=address.email)


@transaction.atomic
def sign_in(*, user, provider: str, claims: dict, email_addresses=()) -> Outcome:
    """Record what the provider vouched for and give the roles waiting for this person."""
    _keep_verified_emails(user, email_addresses)
    if provider == SURFCONEXT:
        return _surfconext(user, claims)
    return _eduid(user, claims)


def _surfconext(user, claims: dict) -> Outcome:
    schac_home = next(iter(_values(claims.get("schac_home_organization"))), "").lower()
    eppn = next(iter(_values(claims.get("eduperson_principal_name"))), "").lower()
    institution = Institution.objects.filter(schac_home=schac_home).first() if schac_home else None
    outcome = Outcome(provider=SURFCONEXT, institution=institution, schac_home=schac_home)
    if eppn:
        if eppn_fits(institution, eppn) and _identity_keep(
            user=user, eppn=eppn, schac_home=schac_home, source=SURFCONEXT
        ):
            outcome.eppn = eppn
            if not user.eppn:
                user.eppn = eppn
                user.save(update_fields=["eppn"])
        else:
            outcome.eppn_refused = True
    if institution is not None:
        outcome.new_roles = issuer_services.invitations_accept_for_sso(
            user=user, institution=institution, eppn=outcome.eppn
        )
    outcome.is_staff_member = user.is_superuser or Membership.objects.filter(user=user).exists()
    return outcome


def _eduid(user, claims: dict) -> Outcome:
    """eduID reports the institution accounts the student linked: each eppn (with its
    schac_home, or the eppn's domain) is kept."""
    outcome = Outcome(provider=EDUID)
    for eppn, schac_home, institution in _eduid_eppns(claims):
        if eppn_fits(institution, eppn):
            _identity_keep(user=user, eppn=eppn, schac_home=schac_home, source=EDUID)
    outcome.is_staff_member = user.is_superuser or Membership.objects.filter(user=user).exists()
    return outcome
