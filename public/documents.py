"""The public JSON-LD documents of issuers, keys and revocation lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from badge_credentials import did, ob2, ob3
from badge_credentials.contexts import MULTIKEY_V1
from badge_credentials.keys import load_public_key_pem
from badges import links, published
from badges.models import Assertion, Endorsement
from issuers.models import Issuer, SigningKey


def retirement_published(key: SigningKey) -> datetime | None:
    """A retired key's end of validity as published: credentials carry whole seconds, so the
    moment of retirement is rounded up, or what the key signed in that same second would
    no longer verify. (A moment of compromise is rounded down: distrust rather than trust.)"""
    if key.retired_at is None or key.compromised_at is not None:
        return None
    if key.retired_at.microsecond:
        return key.retired_at.replace(microsecond=0) + timedelta(seconds=1)
    return key.retired_at


def _verification_key(key: SigningKey) -> did.VerificationKey:
    return did.VerificationKey(
        fragment=key.fragment,
        public_key=load_public_key_pem(key.public_key_pem),
        expires=retirement_published(key),
        revoked=key.compromised_at,
    )


def did_document(issuer: Issuer) -> dict:
    """Every key the issuer ever had, each with the end of its validity: retired and
    compromised keys keep what they signed before verifiable, and nothing after."""
    issuer_did = links.issuer_did(issuer)
    keys = [_verification_key(key) for key in issuer.signing_keys.order_by("created_at", "pk")]
    return did.build_did_document(issuer_did, keys, also_known_as=[links.issuer_url(issuer)])


def key_document(key: SigningKey) -> dict:
    """An RS256 key as an OB 2.0 CryptographicKey, an Ed25519 key as a Multikey, each with
    the end of its validity (``expires``; a compromised key is also ``revoked``)."""
    if key.algorithm == SigningKey.Algorithm.RS256:
        return ob2.build_cryptographic_key(
            links.key_url(key),
            links.key_owner_url(key),
            key.public_key_pem,
            expires=key.compromised_at or retirement_published(key),
            revoked=key.compromised_at is not None,
        )
    method = did.build_verification_method(links.issuer_did(key.issuer), _verification_key(key))
    return {"@context": MULTIKEY_V1, **method}


def _revoked(issuer: Issuer):
    return (
        Assertion.objects.filter(badge_class__issuer=issuer, status=Assertion.Status.REVOKED)
        .order_by("revoked_at", "pk")
        .only("public_id", "uuid", "revocation_reason")
    )


def revocation_list(issuer: Issuer) -> dict:
    """OB 2.0 revocation list: both the hosted URL and the signed (urn:uuid) id of each badge."""
    entries = []
    for assertion in _revoked(issuer):
        entries.append(
            ob2.RevokedAssertion(
                id=links.assertion_url(assertion), reason=assertion.revocation_reason
            )
        )
        entries.append(
            ob2.RevokedAssertion(
                id=f"urn:uuid:{assertion.uuid}", reason=assertion.revocation_reason
            )
        )
    for endorsement in _withdrawn_endorsements(issuer):
        entries.append(
            ob2.RevokedAssertion(
                id=links.endorsement_url(endorsement), reason=endorsement.withdrawal_reason
            )
        )
    return ob2.build_revocation_list(
        links.revocation_list_url(issuer), links.issuer_url(issuer), entries
    )


def _withdrawn_endorsements(issuer: Issuer):
    """Endorsements this issuer signed and then withdrew."""
    return (
        Endorsement.objects.filter(
            endorser=issuer, status=Endorsement.Status.WITHDRAWN, issued_on__isnull=False
        )
        .order_by("withdrawn_at", "pk")
        .only("public_id", "withdrawal_reason")
    )


def status_list(issuer: Issuer) -> dict:
    """OB 3.0 1EdTech revocation list for ``credentialStatus``."""
    entries = [
        ob3.RevokedCredential(
            id=links.credential_url(assertion), reason=assertion.revocation_reason
        )
        for assertion in _revoked(issuer)
    ]
    entries += [
        ob3.RevokedCredential(
            id=links.endorsement_credential_url(endorsement), reason=endorsement.withdrawal_reason
        )
        for endorsement in _withdrawn_endorsements(issuer)
    ]
    return ob3.build_credential_revocation_list(
        links.status_list_url(issuer), links.issuer_did(issuer), entries
    )


def revoked_assertion(assertion: Assertion) -> dict:
    return published.revoked_assertion(assertion)


def withdrawn_endorsement(endorsement: Endorsement) -> dict:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Endorsement",
        "id": links.endorsement_url(endorsement),
        "revoked": True,
        "revocationReason": endorsement.withdrawal_reason,
    }
