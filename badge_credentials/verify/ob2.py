"""Verification of Open Badges 2.0 assertions (hosted and signed)."""

from datetime import datetime
from typing import Any

from badge_credentials.errors import CredentialError, FetchError
from badge_credentials.hashing import identity_matches
from badge_credentials.jws import verify_badge_signature
from badge_credentials.keys import load_public_key_pem
from badge_credentials.verify.common import (
    check_dates,
    check_key_validity,
    host_of,
    ids_of,
    parse_date,
    text_or_none,
)
from badge_credentials.verify.inputs import Presented
from badge_credentials.verify.report import FORMAT_OB2_HOSTED, VerificationReport
from badge_credentials.verify.resolve import Resolver

_REQUIRED_ASSERTION_FIELDS = ("id", "type", "recipient", "badge", "verification", "issuedOn")


def _document(value: Any, resolver: Resolver, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return resolver.json(value)
    raise CredentialError(f"the {what} is neither an object nor a URL")


def _structure_problems(assertion: dict[str, Any]) -> list[str]:
    problems = [f"missing {name}" for name in _REQUIRED_ASSERTION_FIELDS if name not in assertion]
    recipient = assertion.get("recipient")
    if isinstance(recipient, dict):
        if not isinstance(recipient.get("identity"), str) or not recipient.get("type"):
            problems.append("the recipient needs a type and an identity")
    elif "recipient" in assertion:
        problems.append("the recipient is not an IdentityObject")
    if not isinstance(assertion.get("id"), str):
        problems.append("the assertion id is not an IRI")
    return problems


def _check_hosted(
    assertion: dict[str, Any],
    issuer: dict[str, Any],
    resolver: Resolver,
    report: VerificationReport,
) -> tuple[bool, str]:
    """Fetch the hosted assertion; return (revoked, reason) as seen by its host."""
    assertion_id = assertion["id"]
    try:
        hosted = resolver.json(assertion_id)
    except FetchError as error:
        if error.status == 410:
            report.add("hosted", True, "the issuer's server answers 410 Gone for the assertion")
            return True, "the issuer's server answers 410 Gone (revoked)"
        report.add("hosted", False, f"the hosted assertion could not be retrieved: {error}")
        return False, ""
    if hosted.get("revoked") is True:
        report.add("hosted", True, "the issuer's server marks the assertion as revoked")
        reason = hosted.get("revocationReason") or "no reason given"
        return True, f"the hosted assertion is revoked: {reason}"
    if hosted != assertion:
        report.add("hosted", False, "the hosted assertion differs from the one presented")
    else:
        report.add("hosted", True, "the assertion matches the one hosted at its id")
    verification = issuer.get("verification") or {}
    allowed = ids_of(verification.get("allowedOrigins")) if isinstance(verification, dict) else []
    starts = ids_of(verification.get("startsWith")) if isinstance(verification, dict) else []
    host = host_of(assertion_id)
    if starts:
        ok = any(assertion_id.startswith(prefix) for prefix in starts)
    elif allowed:
        ok = host in [origin.lower() for origin in allowed]
    else:
        ok = host == host_of(str(issuer.get("id", "")))
    report.add(
        "issuer_key",
        ok,
        f"the assertion is hosted on {host}, "
        + ("within the issuer's domain" if ok else "outside the issuer's allowed origins"),
    )
    return False, ""


def _check_signed(
    presented: Presented, issuer: dict[str, Any], resolver: Resolver, report: VerificationReport
) -> None:
    if presented.token is None:
        report.add("signature", False, "a signed badge must be presented as its JWS")
        return
    verification = presented.document.get("verification") or {}
    creator = verification.get("creator") if isinstance(verification, dict) else None
    issuer_keys = ids_of(issuer.get("publicKey"))
    candidates = [creator] if isinstance(creator, str) else issuer_keys
    last_error = ""
    for key_id in candidates:
        try:
            key_document = _document(key_id, resolver, "key")
            public_key = load_public_key_pem(str(key_document.get("publicKeyPem", "")))
            verify_badge_signature(presented.token, public_key)
        except CredentialError as error:
            last_error = str(error)
            continue
        report.add("signature", True, f"RS256 signature verified with {key_id}")
        owner_ok = key_document.get("owner") == issuer.get("id")
        listed = key_id in issuer_keys or key_document.get("id") in issuer_keys
        if owner_ok and listed:
            report.add("issuer_key", True, "the key is owned and listed by the issuer")
        else:
            report.add(
                "issuer_key",
                False,
                "the key's owner is not the issuer or the issuer does not list it",
            )
        validity = check_key_validity(
            parse_date(presented.document.get("issuedOn")),
            expires=key_document.get("expires"),
            revoked=key_document.get("revoked"),
        )
        if validity is not None:
            report.add("key_validity", *validity)
        return
    report.add(
        "signature",
        False,
        f"the signature could not be verified: {last_error}"
        if candidates
        else "no key is named to verify the signature",
    )


def _check_revocation_list(
    assertion: dict[str, Any], issuer: dict[str, Any], resolver: Resolver
) -> tuple[bool, str]:
    location = issuer.get("revocationList")
    if location is None:
        return True, "the issuer publishes no revocation list"
    try:
        revocation_list = _document(location, resolver, "revocation list")
    except CredentialError as error:
        return False, f"the revocation list could not be retrieved: {error}"
    entries = revocation_list.get("revokedAssertions") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        entry_id = (
            entry
            if isinstance(entry, str)
            else entry.get("id")
            if isinstance(entry, dict)
            else None
        )
        uid = entry.get("uid") if isinstance(entry, dict) else None
        if entry_id == assertion["id"] or (uid is not None and uid == assertion.get("uid")):
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            return False, f"revoked by the issuer: {reason or 'no reason given'}"
    return True, "not on the issuer's revocation list"


def _summarise(
    assertion: dict[str, Any],
    badge: dict[str, Any],
    issuer: dict[str, Any],
    report: VerificationReport,
) -> None:
    summary = report.summary
    summary.id = text_or_none(assertion.get("id"))
    summary.issued_on = text_or_none(assertion.get("issuedOn"))
    summary.expires = text_or_none(assertion.get("expires"))
    summary.badge = text_or_none(badge.get("name"))
    summary.issuer = text_or_none(issuer.get("name"))
    summary.issuer_id = text_or_none(issuer.get("id"))
    identity = assertion.get("recipient")
    if isinstance(identity, dict):
        summary.recipient_hashed = bool(identity.get("hashed"))
        if not summary.recipient_hashed:
            summary.recipient = text_or_none(identity.get("identity"))


def verify_ob2(
    presented: Presented,
    resolver: Resolver,
    report: VerificationReport,
    *,
    recipient: str | None,
    now: datetime,
) -> None:
    """Run the OB 2.0 checks, adding them to ``report``."""
    assertion = presented.document
    _summarise(assertion, {}, {}, report)
    problems = _structure_problems(assertion)
    if problems:
        report.add("structure", False, "; ".join(problems))
        return
    try:
        badge = _document(assertion["badge"], resolver, "badge class")
        issuer = _document(badge.get("issuer"), resolver, "issuer")
    except CredentialError as error:
        report.add("structure", False, f"the badge class or issuer cannot be retrieved: {error}")
        return
    _summarise(assertion, badge, issuer, report)
    if not badge.get("name") or not isinstance(issuer.get("id"), str):
        report.add("structure", False, "the badge class has no name or the issuer has no id")
        return
    report.add("structure", True, "assertion, badge class and issuer are complete")

    revoked_by_host, host_reason = False, ""
    if presented.format == FORMAT_OB2_HOSTED:
        revoked_by_host, host_reason = _check_hosted(assertion, issuer, resolver, report)
    else:
        _check_signed(presented, issuer, resolver, report)

    if recipient is not None:
        identity = assertion["recipient"]
        matched = identity_matches(
            recipient,
            identity["identity"],
            identity.get("salt"),
            hashed=bool(identity.get("hashed")),
            identity_type=str(identity.get("type")),
        )
        report.add(
            "recipient",
            matched,
            "the recipient matches" if matched else "the badge was not issued to this recipient",
        )
        if matched:
            report.summary.recipient = recipient

    passed, reason = check_dates(
        assertion.get("issuedOn"),
        assertion.get("expires"),
        now,
        from_name="issuedOn",
        until_name="expires",
    )
    report.add("expiry", passed, reason)

    if revoked_by_host:
        report.add("revocation", False, host_reason)
    else:
        report.add("revocation", *_check_revocation_list(assertion, issuer, resolver))
