"""Absolute URLs of the public Open Badges documents (a public contract: keep them stable)."""

from __future__ import annotations

import functools
import uuid
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

from badge_credentials.did import did_web_for, verification_method_id
from badge_credentials.extension import extension_context_url


def absolute(path: str) -> str:
    return settings.SITE_URL + path


# Stand-ins for the identifiers in a public URL while its pattern is reversed once.
_STAND_INS = tuple(str(uuid.UUID(int=(0x8D4C2E61 << 96) | number)) for number in range(1, 4))
_SAFE = RFC3986_SUBDELIMS + "~:@"


def _public(name: str, *ids: uuid.UUID | str, fixed: tuple = ()) -> str:
    """``absolute(reverse(name, args=[*ids, *fixed]))``, with the URL pattern reversed once
    per name (and per value of ``fixed``) instead of once per document: a batch of
    credentials names thousands of them. ``ids`` are the public identifiers (UUIDs or
    strings without a slash) that differ from one URL to the next."""
    pieces = _pattern(
        name, len(ids), fixed, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
    )
    if pieces is None or any("/" in str(value) for value in ids):
        return absolute(reverse(name, args=[*ids, *fixed]))
    parts = [settings.SITE_URL, pieces[0]]
    for value, piece in zip(ids, pieces[1:], strict=True):
        parts += [quote(str(value), safe=_SAFE), piece]
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _pattern(name: str, count: int, fixed: tuple, *_resolver_state) -> tuple[str, ...] | None:
    pieces = [reverse(name, args=[*_STAND_INS[:count], *fixed])]
    for stand_in in _STAND_INS[:count]:
        head, *rest = pieces[-1].split(stand_in)
        if len(rest) != 1:
            return None
        pieces[-1:] = [head, rest[0]]
    return tuple(pieces)


def issuer_url(issuer) -> str:
    return _public("public:issuer", issuer.public_id)


def issuer_image_url(issuer) -> str | None:
    return _public("public:issuer_image", issuer.public_id) if issuer.image else None


def issuer_did(issuer) -> str:
    return did_web_for(
        urlsplit(settings.SITE_URL).netloc, ["public", "issuers", str(issuer.public_id)]
    )


def issuer_did_document_url(issuer) -> str:
    return _public("public:issuer_did", issuer.public_id)


def revocation_list_url(issuer) -> str:
    return _public("public:revocations", issuer.public_id)


def status_list_url(issuer) -> str:
    return _public("public:status_list", issuer.public_id)


def status_list_credential_url(status_list) -> str:
    return _public(
        "public:status_list_credential", status_list.issuer.public_id, fixed=(status_list.number,)
    )


def key_url(signing_key) -> str:
    return _public("public:key", signing_key.public_id)


def key_issuer_url(signing_key) -> str:
    """The OB 2.0 issuer profile that names only this key (see :func:`key_owner_url`)."""
    return _public("public:key_issuer", signing_key.public_id)


def key_badge_class_url(signing_key, badge_class) -> str:
    """The badge class as signed badges made with this key name it (see
    :func:`signed_badge_class_url`)."""
    return _public("public:key_badge_class", signing_key.public_id, badge_class.public_id)


def key_owner_url(signing_key) -> str:
    """The OB 2.0 profile that owns and names an RS256 key.

    An OB 2.0 issuer profile may name one ``publicKey`` only (1EdTech's validator refuses
    more), and a signed badge is checked against the profile of its badge class's issuer.
    So the issuer's own profile names its first key, and every later key has a profile and
    badge classes of its own, which signed badges made with it point at.
    """
    from issuers.signing import is_primary_rsa_key

    if is_primary_rsa_key(signing_key):
        return issuer_url(signing_key.issuer)
    return key_issuer_url(signing_key)


def signed_badge_class_url(badge_class, signing_key) -> str:
    """The badge class a signed badge made with ``signing_key`` points at."""
    from issuers.signing import is_primary_rsa_key

    if is_primary_rsa_key(signing_key):
        return badge_class_url(badge_class)
    return key_badge_class_url(signing_key, badge_class)


def verification_method(signing_key) -> str:
    return verification_method_id(issuer_did(signing_key.issuer), signing_key.fragment)


def badge_class_url(badge_class) -> str:
    return _public("public:badge_class", badge_class.public_id)


def badge_class_image_url(badge_class) -> str:
    return _public("public:badge_class_image", badge_class.public_id)


def assertion_url(assertion) -> str:
    return _public("public:assertion", assertion.public_id)


def credential_url(assertion) -> str:
    return _public("public:credential", assertion.public_id)


def assertion_image_url(assertion, extension: str = "png") -> str:
    return _public("public:assertion_image", assertion.public_id, fixed=(extension,))


def legacy_context_url() -> str:
    """The extension context of credentials issued before the versioned vocabulary."""
    return extension_context_url(settings.SITE_URL)


def vocabulary_context_url() -> str:
    """Where this portal serves the versioned vocabulary's context (whose own, fixed URL is
    :data:`badge_credentials.extension.CONTEXT_V1`)."""
    return _public("public:vocabulary_context", fixed=(1,))


def framework_url(framework) -> str:
    return _public("public:framework", framework.public_id)


def framework_item_url(item) -> str:
    """An item of a framework: its entry on the framework's public page."""
    return _public("public:framework_item", item.framework.public_id, item.public_id)


def endorsement_url(endorsement) -> str:
    """The hosted OB 2.0 Endorsement."""
    return _public("public:endorsement", endorsement.public_id)


def endorsement_credential_url(endorsement) -> str:
    """The OB 3.0 EndorsementCredential."""
    return _public("public:endorsement_credential", endorsement.public_id)


def endorsement_subject_id(endorsement) -> str:
    """What the endorsement vouches for, by the id credentials give it: the badge class's
    Achievement, or the issuer's Profile."""
    if endorsement.badge_class_id:
        return badge_class_url(endorsement.badge_class)
    return issuer_did(endorsement.issuer)
