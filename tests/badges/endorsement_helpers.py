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


def body_parties(**badge_class) -> Parties:
    """An endorsing body registered by a platform admin, its admin, and an institution's badge
    class with its admin."""
    from issuers import services as issuer_services
    from tests.factories import UserFactory

    platform_admin = UserFactory(is_staff=True, is_superuser=True)
    body = issuer_services.endorsing_body_register(
        actor=platform_admin,
        email="quality@association.example",
        schac_home="association.example",
        name_nl="Beroepsvereniging",
        name_en="Professional Association",
        description_en="The association of professionals.",
        website="https://association.example/",
    )
    badge = BadgeClassFactory(**({"microcredential": True, "language": "en"} | badge_class))
    return Parties(
        endorser=issuer_services.endorsing_body_profile(body),
        endorser_admin=MembershipFactory(institution=body, role=Role.ADMIN).user,
        badge_class=badge,
        badge_admin=MembershipFactory(issuer=badge.issuer, role=Role.ADMIN).user,
    )
