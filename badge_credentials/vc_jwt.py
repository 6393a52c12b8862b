"""OB 3.0 VC-JWT: the JSON Web Token proof format of Open Badges 3.0.3 (§ 8.2).

Per OB 3.0.3 (VCDM 2.0) the JWT payload *is* the credential plus the registered claims
``iss`` (issuer.id), ``jti`` (id), ``nbf`` (validFrom), ``sub`` (credentialSubject.id, when
the subject has one) and ``exp`` (validUntil, when present). The JOSE header has ``alg``
(RS256), ``typ`` ``JWT`` and either ``kid`` (a URL dereferencing to the public JWK) or
``jwk``; no other header is allowed. On verification, VCDM 1.1-style tokens that carry the
credential under ``vc`` are accepted too.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from badge_credentials.dates import from_numeric_date, numeric_date, parse_datetime
from badge_credentials.errors import SignatureError, VerificationError
from badge_credentials.jws import algorithm_for, sign_compact, verify_compact
from badge_credentials.keys import PrivateKey, PublicKey, public_key_to_jwk

JWT_CLAIMS = ("iss", "jti", "nbf", "exp", "sub", "iat")


def credential_issuer_id(credential: Mapping[str, Any]) -> str | None:
    """Return ``issuer.id`` (or ``issuer`` when it is a plain IRI)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return subject["id"]
    return None


def sign_vc_jwt(
    credential: Mapping[str, Any],
    key: PrivateKey,
    *,
    kid: str | None = None,
    include_jwk: bool = False,
) -> str:
    """Sign an OB 3.0 credential as a VC-JWT (compact JWS).

    Give ``kid`` (the URL of the public JWK, e.g. ``did:web:…#rsa-1``) and/or set
    ``include_jwk`` to embed the public key; at least one is required. An embedded Data
    Integrity proof, if wanted, must be added before.
    """
    if kid is None and not include_jwk:
        raise SignatureError("a VC-JWT header needs a kid or an embedded jwk")
    issuer_id = credential_issuer_id(credential)
    credential_id = credential.get("id")
    valid_from = credential.get("validFrom")
    if not issuer_id or not isinstance(credential_id, str) or not isinstance(valid_from, str):
        raise SignatureError("the credential needs issuer.id, id and validFrom")
    header: dict[str, Any] = {"alg": algorithm_for(key), "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    if include_jwk:
        header["jwk"] = public_key_to_jwk(key.public_key())
    payload = dict(credential)
    payload.update(
        {"iss": issuer_id, "jti": credential_id, "nbf": numeric_date(parse_datetime(valid_from))}
    )
    subject_id = _subject_id(credential)
    if subject_id:
        payload["sub"] = subject_id
    if isinstance(credential.get("validUntil"), str):
        payload["exp"] = numeric_date(parse_datetime(credential["validUntil"]))
    return sign_compact(payload, key, header)


def credential_from_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the credential carried by a VC-JWT payload (top level, or ``vc`` for 1.1)."""
    if isinstance(payload.get("vc"), Mapping):
        return dict(payload["vc"])
    return {key: value for key, value in payload.items() if key not in JWT_CLAIMS}


def _check_claims(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> None:
    if payload.get("iss") != credential_issuer_id(credential):
        raise VerificationError("the iss claim does not match issuer.id")
    if payload.get("jti") != credential.get("id"):
        raise VerificationError("the jti claim does not match the credential id")
    subject_id = _subject_id(credential)
    if ("sub" in payload or subject_id) and payload.get("sub") != subject_id:
        raise VerificationError("the sub claim does not match credentialSubject.id")
    nbf = payload.get("nbf")
    valid_from = credential.get("validFrom") or credential.get("issuanceDate")
    if not isinstance(nbf, (int, float)) or not isinstance(valid_from, str):
        raise VerificationError("the nbf claim and validFrom are required")
    if int(nbf) != numeric_date(parse_datetime(valid_from)):
        raise VerificationError("the nbf claim does not match validFrom")
    valid_until = credential.get("validUntil") or credential.get("expirationDate")
    if "exp" in payload:
        if not isinstance(payload["exp"], (int, float)):
            raise VerificationError("the exp claim is not a NumericDate")
        if isinstance(valid_until, str) and int(payload["exp"]) != numeric_date(
            parse_datetime(valid_until)
        ):
            raise VerificationError("the exp claim does not match validUntil")


def verify_vc_jwt(
    token: str, key: PublicKey, *, now: datetime | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a VC-JWT and return ``(header, credential)``.

    Checks the signature (RS256 or EdDSA, matching ``key``), that the header carries only
    ``alg``/``kid``/``jwk``/``typ``, and that ``iss``/``jti``/``sub``/``nbf``/``exp`` agree
    with the credential. With ``now`` it also refuses a token not yet valid or expired.
    Raises :class:`SignatureError` or :class:`VerificationError`.
    """
    header, payload = verify_compact(token, key)
    extra = set(header) - {"alg", "kid", "jwk", "typ"}
    if extra:
        raise VerificationError(f"JOSE header parameters not allowed: {sorted(extra)}")
    if "typ" in header and header["typ"] != "JWT":
        raise VerificationError("the typ header must be JWT")
    credential = credential_from_payload(payload)
    _check_claims(payload, credential)
    if now is not None:
        if from_numeric_date(payload["nbf"]) > now:
            raise VerificationError("the credential is not valid yet (nbf)")
        if "exp" in payload and from_numeric_date(payload["exp"]) <= now:
            raise VerificationError("the credential has expired (exp)")
    return header, credential
