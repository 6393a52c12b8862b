"""Factories for the privacy tests: awards, enrolments and assertions holding personal data,
and legal bases with a statement in effect."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from badge_credentials import hashing
from badges.models import Assertion, AssertionDocuments, Award, Enrollment
from privacy.models import ConsentRecord, LegalBasis, PrivacyPolicy, PrivacyStatement, RecordKind
from tests.factories import BadgeClassFactory, UserFactory


def policy_with_statement(
    institution, badge_type: str, legal_basis: str = LegalBasis.PUBLIC_TASK, **statement_fields
) -> PrivacyStatement:
    """A legal basis for ``institution`` × ``badge_type`` and statement version 1 in effect."""
    policy = PrivacyPolicy.objects.create(
        institution=institution,
        badge_type=badge_type,
        legal_basis=legal_basis,
        purpose_nl="Badges uitgeven en laten verifiëren.",
        purpose_en="Issuing badges and letting others verify them.",
    )
    fields = {
        "version": 1,
        "text_nl": "Volledige privacyverklaring in het Nederlands.",
        "text_en": "Full privacy statement in English.",
        "excerpt_nl": "Korte samenvatting in het Nederlands.",
        "excerpt_en": "Short excerpt in English.",
        "effective_date": datetime.date(2020, 1, 1),
        **statement_fields,
    }
    return PrivacyStatement.objects.create(policy=policy, **fields)


def next_version(statement: PrivacyStatement, **fields) -> PrivacyStatement:
    defaults = {
        "text_nl": f"Tekst versie {statement.version + 1}.",
        "text_en": f"Text version {statement.version + 1}.",
        "excerpt_nl": f"Samenvatting versie {statement.version + 1}.",
        "excerpt_en": f"Excerpt version {statement.version + 1}.",
        "effective_date": timezone.localdate(),
        "change_summary_nl": "We bewaren je gegevens korter.",
        "change_summary_en": "We keep your data for a shorter time.",
    }
    defaults.update(fields)
    return PrivacyStatement.objects.create(
        policy=statement.policy, version=statement.version + 1, **defaults
    )


def record(user, statement: PrivacyStatement, kind: str | None = None) -> ConsentRecord:
    policy = statement.policy
    return ConsentRecord.objects.create(
        user=user,
        statement=statement,
        institution=policy.institution,
        badge_type=policy.badge_type,
        legal_basis=policy.legal_basis,
        kind=kind
        or (RecordKind.CONSENT if policy.requires_consent else RecordKind.ACKNOWLEDGEMENT),
    )


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    badge_class = factory.SubFactory(BadgeClassFactory)
    status = Award.Status.OFFERED
    recipient_email = factory.Sequence(lambda n: f"recipient{n}@example.org")
    recipient_name = "Recipient Name"
    narrative = "Did great work."
    evidence_url = "https://evidence.example.org/work"
    grade = "9"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    badge_class = factory.SubFactory(BadgeClassFactory)
    user = factory.SubFactory(UserFactory)
    narrative = "Please give me this badge."
    evidence_url = "https://evidence.example.org/portfolio"


def _ob2(assertion: Assertion) -> dict:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"https://testserver/public/assertions/{assertion.public_id}",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.identity_hash,
        },
        "narrative": assertion.narrative,
        "evidence": [{"id": assertion.evidence_url, "narrative": assertion.narrative}],
    }


def _ob3(assertion: Assertion) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": f"https://testserver/public/assertions/{assertion.public_id}/credential",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": assertion.identity_hash,
                    "salt": assertion.salt,
                }
            ],
            "result": [{"type": ["Result"], "value": assertion.grade}],
        },
        "evidence": [{"id": assertion.evidence_url, "narrative": assertion.narrative}],
        "proof": {"type": "DataIntegrityProof", "proofValue": "z-signature"},
    }


class AssertionFactory(factory.django.DjangoModelFactory):
    """An issued badge of ``recipient`` carrying personal data everywhere it can."""

    class Meta:
        model = Assertion
        skip_postgeneration_save = True

    badge_class = factory.SubFactory(BadgeClassFactory)
    recipient = factory.SubFactory(UserFactory)
    status = Assertion.Status.ISSUED
    salt = factory.LazyFunction(hashing.new_salt)
    identity_hash = factory.LazyAttribute(
        lambda o: hashing.hash_identity(
            o.recipient.email if o.recipient else "x@example.org", o.salt
        )
    )
    recipient_name = factory.LazyAttribute(
        lambda o: o.recipient.get_full_name() if o.recipient else ""
    )
    narrative = factory.LazyAttribute(
        lambda o: f"{o.recipient.get_full_name()} led the project." if o.recipient else ""
    )
    evidence_url = "https://evidence.example.org/project"
    grade = "8.5"
    is_public = True
    show_evidence = True
    show_grade = True

    @factory.post_generation
    def signed_documents(self, create, extracted, **kwargs):
        if "recipient_identity" in {field.name for field in Assertion._meta.concrete_fields}:
            self.recipient_identity = self.recipient.email if self.recipient else ""
        stored = AssertionDocuments(
            assertion=self,
            ob2_assertion=_ob2(self),
            ob3_credential=_ob3(self),
            ob2_jws="eyJhbGciOiJSUzI1NiJ9.payload.signature",
            ob3_jwt="eyJhbGciOiJSUzI1NiJ9.credential.signature",
        )
        stored.refresh_published(self)
        if create:
            self.save()
            stored.save()
        self.documents = stored
