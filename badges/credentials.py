"""Turn badge classes, issuers and assertions into Open Badges documents.

The documents themselves are built by ``badge_credentials``; this module only maps the
portal's models onto its inputs.
"""

from __future__ import annotations

from badge_credentials import ob2, ob3
from badge_credentials.ob2 import AlignmentInput, EvidenceInput

from . import links
from .models import Assertion, BadgeClass, Endorsement


def _english_first(obj, field: str) -> str:
    """Credentials carry one language: that of the badge, falling back to the other."""
    language = getattr(obj, "language", "nl")
    other = "en" if language == "nl" else "nl"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


def _issuer_name(issuer, language: str) -> str:
    institution = issuer.faculty.institution
    name = getattr(issuer, f"name_{language}") or issuer.name_en or issuer.name_nl
    if institution.is_endorsing_body:
        # Its issuer profile is the body itself.
        return name
    institution_name = getattr(institution, f"name_{language}") or institution.name_en
    return (
        f"{name} ({institution_name})"
        if institution_name and institution_name not in name
        else name
    )


def _criteria(badge_class: BadgeClass) -> str:
    return _english_first(badge_class, "criteria") or badge_class.criteria_url


ESCO_TARGET_TYPES = {"occupation": "ext:ESCOOccupation", "skill": "ext:ESCOSkill"}


def _esco_alignment(alignment) -> AlignmentInput | None:
    """A framework item that matches an ESCO skill or occupation aligns the badge to it too."""
    item = alignment.framework_item
    if item is None or not item.esco_uri:
        return None
    kind = item.esco_uri.removeprefix("http://data.europa.eu/esco/").split("/", 1)[0]
    return AlignmentInput(
        target_name=alignment.target_name,
        target_url=item.esco_uri,
        target_framework="ESCO",
        target_type=ESCO_TARGET_TYPES.get(kind, "ext:ESCO"),
    )


def _alignments(badge_class: BadgeClass) -> tuple[AlignmentInput, ...]:
    alignments: list[AlignmentInput] = []
    for alignment in badge_class.alignments.select_related("framework_item").order_by("pk"):
        alignments.append(
            AlignmentInput(
                target_name=alignment.target_name,
                target_url=alignment.target_url,
                target_description=alignment.target_description or None,
                target_framework=alignment.target_framework or None,
                target_code=alignment.target_code or None,
                target_type=alignment.target_type or None,
            )
        )
        if esco := _esco_alignment(alignment):
            alignments.append(esco)
    return tuple(alignments)


def issuer_profile_v2(issuer, *, signing_key=None) -> dict:
    """The OB 2.0 issuer profile, naming the issuer's first RS256 key; with ``signing_key``
    the profile of that key (see :func:`badges.links.key_owner_url`)."""
    from issuers.signing import primary_rsa_key

    key = signing_key or primary_rsa_key(issuer)
    return ob2.build_issuer_profile(
        ob2.IssuerInput(
            id=links.key_issuer_url(signing_key) if signing_key else links.issuer_url(issuer),
            name=_issuer_name(issuer, "en"),
            url=issuer.url or issuer.faculty.institution.website or links.issuer_url(issuer),
            email=issuer.email,
            description=issuer.description_en or issuer.description_nl or None,
            image=links.issuer_image_url(issuer),
            public_key_ids=(links.key_url(key),) if key else (),
            revocation_list=links.revocation_list_url(issuer),
            endorsements=tuple(
                links.endorsement_url(endorsement)
                for endorsement in Endorsement.objects.published().filter(issuer=issuer)
            ),
        )
    )


def _endorsement_credentials(**target) -> tuple[dict, ...]:
    """The signed EndorsementCredentials of a badge class or an issuer, as OB 3.0 embeds them."""
    return tuple(
        endorsement.ob3_credential
        for endorsement in Endorsement.objects.published()
        .filter(**target)
        .exclude(ob3_credential=None)
        .order_by("issued_on", "pk")
    )


def issuer_profile_v3(
    issuer, language: str = "en", *, with_endorsements: bool = False
) -> ob3.ProfileInput:
    return ob3.ProfileInput(
        id=links.issuer_did(issuer),
        name=_issuer_name(issuer, language),
        url=issuer.url or issuer.faculty.institution.website or links.issuer_url(issuer),
        email=issuer.email,
        image=links.issuer_image_url(issuer),
        description=getattr(issuer, f"description_{language}") or None,
        country_code=issuer.faculty.institution.country or None,
        endorsements=_endorsement_credentials(issuer=issuer) if with_endorsements else (),
    )


def badge_class_v2(badge_class: BadgeClass, *, signing_key=None) -> dict:
    """The OB 2.0 badge class; with ``signing_key`` the one that signed badges made with
    that key point at (see :func:`badges.links.key_owner_url`)."""
    return ob2.build_badge_class(
        ob2.BadgeClassInput(
            id=links.key_badge_class_url(signing_key, badge_class)
            if signing_key
            else links.badge_class_url(badge_class),
            issuer_id=links.key_issuer_url(signing_key)
            if signing_key
            else links.issuer_url(badge_class.issuer),
            name=_english_first(badge_class, "name"),
            description=_english_first(badge_class, "description"),
            image=links.badge_class_image_url(badge_class),
            criteria_narrative=_criteria(badge_class),
            criteria_url=badge_class.criteria_url or None,
            alignments=_alignments(badge_class),
            tags=tuple(badge_class.tags or ()),
            endorsements=tuple(
                links.endorsement_url(endorsement)
                for endorsement in Endorsement.objects.published().filter(badge_class=badge_class)
            ),
        )
    )


def achievement_v3(badge_class: BadgeClass) -> ob3.AchievementInput:
    quality = None
    if badge_class.quality_assurance_name:
        quality = ob3.QualityAssuranceInput(
            name=badge_class.quality_assurance_name,
            url=badge_class.quality_assurance_url,
            description=badge_class.quality_assurance_description or None,
        )
    identifiers = ()
    if badge_class.programme_identifier:
        scheme = "CREBO" if badge_class.issuer.faculty.institution.sector == "mbo" else "CROHO"
        identifiers = (
            ob3.IdentifierInput(
                identifier=f"{scheme}:{badge_class.programme_identifier}",
                identifier_type="identifier",
            ),
        )
    nlqf = badge_class.nlqf_level
    return ob3.AchievementInput(
        id=links.badge_class_url(badge_class),
        badge_type=badge_class.badge_type,
        name=_english_first(badge_class, "name"),
        description=_english_first(badge_class, "description"),
        criteria_narrative=_criteria(badge_class),
        criteria_url=badge_class.criteria_url or None,
        image=links.badge_class_image_url(badge_class),
        ects_credits=float(badge_class.study_load_ects)
        if badge_class.study_load_ects is not None
        else None,
        study_load_hours=badge_class.study_load_hours,
        eqf_level=badge_class.eqf_level,
        nlqf_level=(int(nlqf) if nlqf.isdigit() else nlqf) if nlqf else None,
        participation=badge_class.participation or None,
        assessment_type=badge_class.assessment_type or None,
        quality_assurance=quality,
        learning_outcomes=tuple(
            line.strip("-• ").strip()
            for line in _english_first(badge_class, "learning_outcomes").splitlines()
            if line.strip()
        ),
        alignments=_alignments(badge_class),
        other_identifiers=identifiers,
        in_language=badge_class.language,
        tags=tuple(badge_class.tags or ()),
        endorsements=_endorsement_credentials(badge_class=badge_class),
    )


def _evidence(assertion: Assertion) -> tuple[EvidenceInput, ...]:
    if assertion.evidence_url:
        return (EvidenceInput(id=assertion.evidence_url, narrative=assertion.narrative or None),)
    return ()


def assertion_v2(assertion: Assertion, *, identity: str, signing_key=None) -> dict:
    return ob2.build_assertion(
        ob2.AssertionInput(
            id=f"urn:uuid:{assertion.uuid}" if signing_key else links.assertion_url(assertion),
            badge_id=links.signed_badge_class_url(assertion.badge_class, signing_key)
            if signing_key
            else links.badge_class_url(assertion.badge_class),
            recipient_identity=identity,
            salt=assertion.salt,
            issued_on=assertion.issued_on,
            recipient_type="email",
            evidence=_evidence(assertion),
            narrative=assertion.narrative or None,
            expires=assertion.expires_at,
            image=links.assertion_image_url(assertion, "png"),
        ),
        signing_key_id=links.key_url(signing_key) if signing_key else None,
    )


def credential_v3(
    assertion: Assertion,
    *,
    identity: str,
    issuer: ob3.ProfileInput | None = None,
    achievement: ob3.AchievementInput | None = None,
) -> dict:
    """The OB 3.0 credential; ``issuer`` and ``achievement`` may be given when many
    credentials of one badge class are built (see ``badges.issuing``)."""
    badge_class = assertion.badge_class
    return ob3.build_credential(
        ob3.CredentialInput(
            id=links.credential_url(assertion),
            name=_english_first(badge_class, "name"),
            issuer=issuer or issuer_profile_v3(badge_class.issuer, with_endorsements=True),
            achievement=achievement or achievement_v3(badge_class),
            recipient_identity=identity,
            salt=assertion.salt,
            valid_from=assertion.issued_on,
            valid_until=assertion.expires_at,
            awarded_date=assertion.issued_on,
            identity_type="emailAddress",
            evidence=_evidence(assertion),
            status_url=links.status_list_url(badge_class.issuer),
            status_list=ob3.StatusListEntryInput(
                list_credential_url=links.status_list_credential_url(assertion.status_list),
                index=assertion.status_index,
            )
            if assertion.status_list_id is not None
            else None,
        )
    )


def _target_name(endorsement: Endorsement) -> str:
    if endorsement.badge_class_id:
        return _english_first(endorsement.badge_class, "name")
    return _issuer_name(endorsement.issuer, "en")


def endorsement_v2(endorsement: Endorsement, *, signing_key=None) -> dict:
    """The OB 2.0 Endorsement: hosted, or with ``signing_key`` the payload to sign."""
    target = endorsement.target
    claim_id = (
        links.badge_class_url(target) if endorsement.badge_class_id else links.issuer_url(target)
    )
    return ob2.build_endorsement(
        ob2.EndorsementInput(
            id=links.endorsement_url(endorsement),
            issuer_id=links.issuer_url(endorsement.endorser),
            claim_id=claim_id,
            comment=endorsement.comment,
            issued_on=endorsement.issued_on,
        ),
        signing_key_id=links.key_url(signing_key) if signing_key else None,
    )


def endorsement_credential_v3(endorsement: Endorsement) -> dict:
    """The unsigned OB 3.0 EndorsementCredential, in the endorser's name."""
    return ob3.build_endorsement_credential(
        ob3.EndorsementCredentialInput(
            id=links.endorsement_credential_url(endorsement),
            name=f"Endorsement of {_target_name(endorsement)} by "
            f"{_issuer_name(endorsement.endorser, 'en')}",
            issuer=issuer_profile_v3(endorsement.endorser),
            subject_id=links.endorsement_subject_id(endorsement),
            comment=endorsement.comment,
            valid_from=endorsement.issued_on,
            status_url=links.status_list_url(endorsement.endorser),
        )
    )
