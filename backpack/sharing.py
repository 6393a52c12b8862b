"""Ways to share a badge: LinkedIn "add to profile", an embed snippet and a QR code."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.utils.html import format_html

from badges import links
from badges.models import Assertion

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_url(assertion: Assertion) -> str:
    """LinkedIn's add-to-profile form, filled in; months are 1–12."""
    badge_class = assertion.badge_class
    institution = badge_class.issuer.faculty.institution
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": badge_class.name,
        "issueYear": assertion.issued_on.year,
        "issueMonth": assertion.issued_on.month,
        "certUrl": links.assertion_url(assertion),
        "certId": assertion.public_id,
    }
    if institution.linkedin_organisation_id:
        parameters["organizationId"] = institution.linkedin_organisation_id
    else:
        parameters["organizationName"] = institution.name
    if assertion.expires_at:
        parameters["expirationYear"] = assertion.expires_at.year
        parameters["expirationMonth"] = assertion.expires_at.month
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(parameters)}"


def embed_snippet(assertion: Assertion) -> str:
    return str(
        format_html(
            '<iframe src="{}" title="{}" width="340" height="420" style="border:0" loading="lazy"></iframe>',
            links.absolute(f"/public/assertions/{assertion.public_id}/embed"),
            assertion.badge_class.name,
        )
    )


def qr_svg(url: str) -> bytes:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
