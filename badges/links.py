"""Absolute URLs of the public Open Badges documents (a public contract: keep them stable)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from badge_credentials.did import did_web_for, verification_method_id
from badge_credentials.extension import extension_context_url


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_url(issuer) -> str:
    return absolute(reverse("public:issuer", args=[issuer.public_id]))


def issuer_image_url(issuer) -> str | None:
    return (
        absolute(reverse("public:issuer_image", args=[issuer.public_id])) if issuer.image else None
    )


def issuer_did(issuer) -> str:
    return did_web_for(
        urlsplit(settings.SITE_URL).netloc, ["public", "issuers", str(issuer.public_id)]
    )


def issuer_did_document_url(issuer) -> str:
    return absolute(reverse("public:issuer_did", args=[issuer.public_id]))


def revocation_list_url(issuer) -> str:
    return absolute(reverse("public:revocations", args=[issuer.public_id]))


def status_list_url(issuer) -> str:
    return absolute(reverse("public:status_list", args=[issuer.public_id]))


def status_list_credential_url(status_list) -> str:
    return absolute(
        reverse(
            "public:status_list_credential",
            args=[status_list.issuer.public_id, status_list.number],
        )
    )


def key_url(signing_key) -> str:
    return absolute(reverse("public:key", args=[signing_key.public_id]))


def key_issuer_url(signing_key) -> str:
    """The OB 2.0 issuer profile that names only this key (see :func:`key_owner_url`)."""
    return absolute(reverse("public:key_issuer", args=[signing_key.public_id]))


def key_badge_class_url(signing_key, badge_class) -> str:
    """The badge class as signed badges made with this key name it (see
    :func:`signed_badge_class_url`)."""
    return absolute(
        reverse("public:key_badge_class", args=[signing_key.public_id, badge_class.public_id])
    )


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
    return absolute(reverse("public:badge_class", args=[badge_class.public_id]))


def badge_class_image_url(badge_class) -> str:
    return absolute(reverse("public:badge_class_image", args=[badge_class.public_id]))


def assertion_url(assertion) -> str:
    return absolute(reverse("public:assertion", args=[assertion.public_id]))


def credential_url(assertion) -> str:
    return absolute(reverse("public:credential", args=[assertion.public_id]))


def assertion_image_url(assertion, extension: str = "png") -> str:
    return absolute(reverse("public:assertion_image", args=[assertion.public_id, extension]))


def legacy_context_url() -> str:
    """The extension context of credentials issued before the versioned vocabulary."""
    return extension_context_url(settings.SITE_URL)


def vocabulary_context_url() -> str:
    """Where this portal serves the versioned vocabulary's context (whose own, fixed URL is
    :data:`badge_credentials.extension.CONTEXT_V1`)."""
    return absolute(reverse("public:vocabulary_context", args=[1]))


def framework_url(framework) -> str:
    return absolute(reverse("public:framework", args=[framework.public_id]))


def framework_item_url(item) -> str:
    """An item of a framework: its entry on the framework's public page."""
    return absolute(
        reverse("public:framework_item", args=[item.framework.public_id, item.public_id])
    )


def endorsement_url(endorsement) -> str:
    """The hosted OB 2.0 Endorsement."""
    return absolute(reverse("public:endorsement", args=[endorsement.public_id]))


def endorsement_credential_url(endorsement) -> str:
    """The OB 3.0 EndorsementCredential."""
    return absolute(reverse("public:endorsement_credential", args=[endorsement.public_id]))


def endorsement_subject_id(endorsement) -> str:
    """What the endorsement vouches for, by the id credentials give it: the badge class's
    Achievement, or the issuer's Profile."""
    if endorsement.badge_class_id:
        return badge_class_url(endorsement.badge_class)
    return issuer_did(endorsement.issuer)
