"""Verification of Open Badges 3.0 credentials (Data Integrity and VC-JWT)."""

from datetime import UTC, datetime
from typing import Any

from badge_credentials.contexts import DocumentLoader
from badge_credentials.data_integrity import verify_proof
from badge_credentials.errors import CredentialError
from badge_credentials.hashing import identity_matches
from badge_credentials.jws import decode_unverified
from badge_credentials.keys import (
    PublicKey,
    jwk_thumbprint,
    jwk_to_public_key,
    public_key_from_verification_method,
    public_key_to_jwk,
)
from badge_credentials.status_list import (
    STATUS_ENTRY_TYPE,
    STATUS_LIST_CREDENTIAL_TYPE,
    bit_is_set,
    decode_bitstring,
)
from badge_credentials.vc_jwt import credential_issuer_id, verify_vc_jwt
from badge_credentials.verify.common import (
    check_dates,
    check_key_validity,
    ids_of,
    parse_date,
    text_or_none,
)
from badge_credentials.verify.inputs import Presented
from badge_credentials.verify.report import FORMAT_OB3_VC_JWT, VerificationReport
from badge_credentials.verify.resolve import ResolvedMethod, Resolver

OB3_TYPES = ("OpenBadgeCredential", "AchievementCredential")


def _subject(credential: dict[str, Any]) -> dict[str, Any] | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, dict) else None


def _structure_problems(credential: dict[str, Any]) -> list[str]:
    problems = []
    contexts = credential.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not any(isinstance(c, str) and "/spec/ob/v3p0/" in c for c in contexts):
        problems.append("the OB 3.0 context is missing")
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types or []
    if "VerifiableCredential" not in types or not any(t in types for t in OB3_TYPES):
        problems.append("the type must include VerifiableCredential and OpenBadgeCredential")
    if not credential_issuer_id(credential):
        problems.append("the issuer has no id")
    if not (credential.get("validFrom") or credential.get("issuanceDate")):
        problems.append("validFrom is missing")
    subject = _subject(credential)
    if subject is None or not isinstance(subject.get("achievement"), dict):
        problems.append("the credentialSubject has no achievement")
    return problems


def _linked(resolved: ResolvedMethod, method_id: str, issuer_id: str) -> tuple[bool, str]:
    base = method_id.split("#", 1)[0]
    # A key published under an https issuer's own URL space is vouched for by that server.
    under_issuer_url = issuer_id.startswith("https://") and base.startswith(
        issuer_id.rstrip("/") + "/"
    )
    if resolved.controller == issuer_id or base == issuer_id or under_issuer_url:
        return True, f"{method_id} is a key of the issuer {issuer_id}"
    return False, f"{method_id} is controlled by {resolved.controller}, not by {issuer_id}"


def _check_data_integrity(
    credential: dict[str, Any],
    resolver: Resolver,
    loader: DocumentLoader,
    report: VerificationReport,
) -> None:
    resolved: dict[str, ResolvedMethod] = {}

    def key_resolver(method_id: str) -> PublicKey | dict[str, Any]:
        resolved[method_id] = resolver.verification_method(method_id)
        return resolved[method_id].method

    try:
        proof = verify_proof(credential, key_resolver=key_resolver, loader=loader)
    except CredentialError as error:
        report.add("signature", False, f"the Data Integrity proof is not valid: {error}")
        return
    method_id = str(proof["verificationMethod"])
    report.add("signature", True, f"eddsa-rdfc-2022 proof verified with {method_id}")
    report.add("issuer_key", *_linked(resolved[method_id], method_id, _issuer_id(credential)))
    _check_method_validity(resolved[method_id].method, parse_date(proof.get("created")), report)


def _check_method_validity(
    method: dict[str, Any], signed_at: datetime | None, report: VerificationReport
) -> None:
    validity = check_key_validity(
        signed_at, expires=method.get("expires"), revoked=method.get("revoked")
    )
    if validity is not None:
        report.add("key_validity", *validity)


def _jwt_signed_at(claims: dict[str, Any]) -> datetime | None:
    moment = claims.get("iat", claims.get("nbf"))
    if isinstance(moment, bool) or not isinstance(moment, int | float):
        return None
    return datetime.fromtimestamp(moment, UTC)


def _issuer_id(credential: dict[str, Any]) -> str:
    return credential_issuer_id(credential) or ""


def _jwk_method_of_issuer(
    jwk: dict[str, Any], issuer: str, resolver: Resolver
) -> dict[str, Any] | None:
    """Return the issuer's assertion method holding the same key as ``jwk``, if any."""
    if not issuer.startswith("did:"):
        return None
    document = resolver.did_document(issuer)
    wanted = jwk_thumbprint(jwk)
    for method_id in ids_of(document.get("assertionMethod")):
        try:
            absolute = issuer + method_id if method_id.startswith("#") else method_id
            method = resolver.verification_method(absolute).method
            key = public_key_from_verification_method(method)
        except CredentialError:
            continue
        if jwk_thumbprint(public_key_to_jwk(key)) == wanted:
            return method
    return None


def _check_vc_jwt(
    presented: Presented, resolver: Resolver, report: VerificationReport
) -> dict[str, Any] | None:
    if presented.token is None:
        report.add("signature", False, "no VC-JWT was presented")
        return None
    header, _ = decode_unverified(presented.token)
    issuer = _issuer_id(presented.document.get("vc") or presented.document)
    try:
        if isinstance(header.get("kid"), str):
            resolved = resolver.verification_method(header["kid"])
            key = public_key_from_verification_method(resolved.method)
        elif isinstance(header.get("jwk"), dict):
            resolved = None
            key = jwk_to_public_key(header["jwk"])
        else:
            raise CredentialError("the JOSE header has neither kid nor jwk")
        _, credential = verify_vc_jwt(presented.token, key)
    except CredentialError as error:
        report.add("signature", False, f"the VC-JWT is not valid: {error}")
        return None
    report.add("signature", True, f"{header.get('alg')} VC-JWT signature and claims verified")
    claims = presented.document
    if resolved is not None:
        report.add("issuer_key", *_linked(resolved, header["kid"], issuer))
        _check_method_validity(resolved.method, _jwt_signed_at(claims), report)
        return credential
    try:
        method = _jwk_method_of_issuer(header["jwk"], issuer, resolver)
    except CredentialError as error:
        report.add("issuer_key", False, f"the issuer's keys cannot be retrieved: {error}")
        return credential
    report.add(
        "issuer_key",
        method is not None,
        "the embedded key is an assertion key of the issuer"
        if method is not None
        else "the embedded jwk cannot be linked to the issuer",
    )
    if method is not None:
        _check_method_validity(method, _jwt_signed_at(claims), report)
    return credential


def _check_recipient(credential: dict[str, Any], recipient: str) -> tuple[bool, str]:
    subject = _subject(credential) or {}
    for identity in subject.get("identifier") or []:
        if not isinstance(identity, dict) or not isinstance(identity.get("identityHash"), str):
            continue
        if identity_matches(
            recipient,
            identity["identityHash"],
            identity.get("salt"),
            hashed=bool(identity.get("hashed")),
            identity_type=str(identity.get("identityType", "emailAddress")),
        ):
            return True, "the recipient matches"
    return False, "the credential was not issued to this recipient"


def _check_revocation_list(
    status: dict[str, Any], credential: dict[str, Any], resolver: Resolver
) -> tuple[bool, str]:
    try:
        revocation_list = resolver.json(str(status.get("id")))
    except CredentialError as error:
        return False, f"the revocation list could not be retrieved: {error}"
    if revocation_list.get("issuer") not in (None, _issuer_id(credential)):
        return False, "the revocation list belongs to another issuer"
    for entry in revocation_list.get("revokedCredentials") or []:
        listed = isinstance(entry, dict) and entry.get("id") == credential.get("id")
        if listed and entry.get("revoked", True) is not False:
            reason = entry.get("revocationReason") or "no reason given"
            return False, f"revoked by the issuer: {reason}"
    return True, "not on the issuer's 1EdTech revocation list"


def _check_bitstring(
    status: dict[str, Any],
    credential: dict[str, Any],
    resolver: Resolver,
    loader: DocumentLoader,
) -> tuple[bool, str]:
    url = status.get("statusListCredential")
    purpose = status.get("statusPurpose")
    try:
        index = int(str(status.get("statusListIndex")))
    except ValueError:
        return False, "the statusListIndex is not a number"
    if not isinstance(url, str) or purpose not in ("revocation", "suspension"):
        return False, f"the status entry is malformed or has an unknown purpose {purpose!r}"
    try:
        list_credential = resolver.json(url)
        types = list_credential.get("type") or []
        subject = list_credential.get("credentialSubject") or {}
        if STATUS_LIST_CREDENTIAL_TYPE not in types or subject.get("statusPurpose") != purpose:
            return False, "the status list is not a BitstringStatusListCredential for it"
        if credential_issuer_id(list_credential) != _issuer_id(credential):
            return False, "the status list belongs to another issuer"

        methods: dict[str, dict[str, Any]] = {}

        def key_resolver(method_id: str) -> dict[str, Any]:
            methods[method_id] = resolver.verification_method(method_id).method
            return methods[method_id]

        proof = verify_proof(list_credential, key_resolver=key_resolver, loader=loader)
        method = methods[str(proof["verificationMethod"])]
        validity = check_key_validity(
            parse_date(proof.get("created")),
            expires=method.get("expires"),
            revoked=method.get("revoked"),
        )
        if validity is not None and not validity[0]:
            return False, f"the status list's signature cannot be trusted: {validity[1]}"
        revoked = bit_is_set(decode_bitstring(subject.get("encodedList")), index)
    except CredentialError as error:
        return False, f"the status list could not be checked: {error}"
    if revoked:
        return False, f"the issuer's status list marks it: {purpose}"
    return True, f"bit {index} of the issuer's signed status list is not set"


def _check_status(
    credential: dict[str, Any], resolver: Resolver, loader: DocumentLoader
) -> tuple[bool, str]:
    statuses = credential.get("credentialStatus")
    if statuses is None:
        return True, "the credential has no status information"
    reasons = []
    for status in statuses if isinstance(statuses, list) else [statuses]:
        if not isinstance(status, dict):
            return False, "the credentialStatus is malformed"
        if status.get("type") == "1EdTechRevocationList":
            passed, reason = _check_revocation_list(status, credential, resolver)
        elif status.get("type") == STATUS_ENTRY_TYPE:
            passed, reason = _check_bitstring(status, credential, resolver, loader)
        else:
            return False, f"the status method {status.get('type')!r} is not supported"
        if not passed:
            return False, reason
        reasons.append(reason)
    return True, "not revoked: " + "; ".join(reasons)


def _summarise(credential: dict[str, Any], report: VerificationReport) -> None:
    summary = report.summary
    subject = _subject(credential) or {}
    achievement = subject.get("achievement")
    issuer = credential.get("issuer")
    summary.id = text_or_none(credential.get("id"))
    summary.badge = text_or_none(
        achievement.get("name") if isinstance(achievement, dict) else None
    ) or text_or_none(credential.get("name"))
    summary.issuer = text_or_none(issuer.get("name") if isinstance(issuer, dict) else None)
    summary.issuer_id = credential_issuer_id(credential) or None
    summary.issued_on = text_or_none(
        credential.get("awardedDate")
        or credential.get("validFrom")
        or credential.get("issuanceDate")
    )
    summary.expires = text_or_none(credential.get("validUntil") or credential.get("expirationDate"))
    identities = [item for item in subject.get("identifier") or [] if isinstance(item, dict)]
    summary.recipient_hashed = any(item.get("hashed") for item in identities)
    plain = next((item for item in identities if not item.get("hashed")), None)
    summary.recipient = text_or_none(plain.get("identityHash") if plain else None) or text_or_none(
        subject.get("id") if not summary.recipient_hashed else None
    )


def verify_ob3(
    presented: Presented,
    resolver: Resolver,
    report: VerificationReport,
    *,
    loader: DocumentLoader,
    recipient: str | None,
    now: datetime,
) -> dict[str, Any] | None:
    """Run the OB 3.0 checks, adding them to ``report``; return the credential examined."""
    candidate = presented.document.get("vc") if presented.format == FORMAT_OB3_VC_JWT else None
    credential = candidate if isinstance(candidate, dict) else presented.document
    _summarise(credential, report)
    problems = _structure_problems(credential)
    if problems:
        report.add("structure", False, "; ".join(problems))
        return credential
    report.add("structure", True, "the credential has the required OB 3.0 properties")

    if presented.format == FORMAT_OB3_VC_JWT:
        verified = _check_vc_jwt(presented, resolver, report)
        credential = verified or credential
    else:
        _check_data_integrity(credential, resolver, loader, report)

    if recipient is not None:
        matched, reason = _check_recipient(credential, recipient)
        report.add("recipient", matched, reason)
        if matched:
            report.summary.recipient = recipient
    passed, reason = check_dates(
        credential.get("validFrom") or credential.get("issuanceDate"),
        credential.get("validUntil") or credential.get("expirationDate"),
        now,
        from_name="validFrom",
        until_name="validUntil",
    )
    report.add("expiry", passed, reason)
    report.add("revocation", *_check_status(credential, resolver, loader))
    return credential
