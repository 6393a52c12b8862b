"""Two institutions: the endorser's issuer with its admin, and the endorsed badge class with
its admin."""

from __future__ import annotations

from dataclasses import dataclass

from badges import endorsements
from badges.models import BadgeClass, Endorsement
from issuers.models import Issuer
from issuers.roles import Role
from tests.factories import BadgeClassFactory, IssuerFactory, MembershipFactory


@dataclass
class Parties:
    endorser: Issuer
    endorser_admin: object
    badge_class: BadgeClass
    badge_admin: object


def parties() -> Parties:
    endorser = IssuerFactory()
    badge_class = BadgeClassFactory(microcredential=True, language="en")
    return Parties(
        endorser=endorser,
        endorser_admin=MembershipFactory(issuer=endorser, role=Role.ADMIN).user,
        badge_class=badge_class,
        badge_admin=MembershipFactory(issuer=badge_class.issuer, role=Role.ADMIN).user,
    )


def accepted(side: Parties, capture, comment: str = "A sound module.") -> Endorsement:
    """An endorsement offered, accepted and (through the task, after commit) signed."""
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        badge_class=side.badge_class,
        comment=comment,
    )
    with capture(execute=True):
        endorsements.endorsement_accept(actor=side.badge_admin, endorsement=endorsement)
    endorsement.refresh_from_db()
    return endorsement
