"""Public Open Badges endpoints: no login, stable URLs, JSON-LD for machines, HTML for people.

An issued assertion's documents are served to anyone holding its URL (a random id) even
while the student keeps the badge private; the HTML page shows the recipient's name only
when the student made the badge public.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from badge_credentials.extension import extension_context_document
from badges import baked_images, credentials, links
from badges.models import Assertion, BadgeClass, Endorsement
from issuers.models import Issuer, SigningKey

from . import documents
from .negotiation import cached, json_ld, raw, stored_json, wants_html

ISSUED = (Assertion.Status.ISSUED, Assertion.Status.REVOKED)


def _issuer(public_id) -> Issuer:
    return get_object_or_404(
        Issuer.objects.select_related("faculty__institution"), public_id=public_id
    )


def _html(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    response = render(request, template, context)
    return cached(request, response, max_age=60)


def _image(request: HttpRequest, field_file, name: str) -> HttpResponse:
    if not field_file:
        raise Http404
    with field_file.open("rb") as handle:
        data = handle.read()
    content_type = "image/png" if data.startswith(b"\x89PNG") else "image/svg+xml"
    return raw(request, data, content_type, filename=name)


@require_GET
def issuer(request: HttpRequest, public_id) -> HttpResponse:
    obj = _issuer(public_id)
    if wants_html(request):
        badge_classes = obj.badge_classes.filter(archived=False)
        return _html(
            request,
            "public/issuer.html",
            {
                "issuer": obj,
                "badge_classes": badge_classes,
                "json_url": links.issuer_url(obj),
                "endorsements": _endorsements(issuer=obj),
                # What an endorsing body vouches for is what its page is about.
                "endorsed": Endorsement.objects.published()
                .filter(endorser=obj)
                .select_related("badge_class", "issuer__faculty__institution")
                .order_by("-issued_on")
                if obj.faculty.institution.is_endorsing_body
                else None,
            },
        )
    return json_ld(request, credentials.issuer_profile_v2(obj))


@require_GET
def issuer_image(request: HttpRequest, public_id) -> HttpResponse:
    obj = _issuer(public_id)
    return _image(request, obj.image, f"issuer-{obj.public_id}")


@require_GET
def issuer_did(request: HttpRequest, public_id) -> HttpResponse:
    obj = _issuer(public_id)
    if not obj.signing_keys.exists():
        raise Http404
    return json_ld(request, documents.did_document(obj), content_type="application/did+ld+json")


@require_GET
def revocations(request: HttpRequest, public_id) -> HttpResponse:
    return json_ld(request, documents.revocation_list(_issuer(public_id)))


@require_GET
def status_list(request: HttpRequest, public_id) -> HttpResponse:
    return json_ld(
        request, documents.status_list(_issuer(public_id)), content_type="application/json"
    )


@require_GET
def status_list_credential(request: HttpRequest, public_id, number: int) -> HttpResponse:
    """The issuer's signed W3C Bitstring Status List (kept signed; renewed on revocation)."""
    from badges.models import StatusList
    from badges.status_lists import status_list_document

    row = get_object_or_404(
        StatusList.objects.select_related("issuer"), issuer__public_id=public_id, number=number
    )
    return raw(request, status_list_document(row), "application/vc+ld+json; charset=utf-8")


@require_GET
def key(request: HttpRequest, public_id) -> HttpResponse:
    signing_key = get_object_or_404(
        SigningKey.objects.select_related("issuer"), public_id=public_id
    )
    return json_ld(request, documents.key_document(signing_key))


def _rsa_key(public_id) -> SigningKey:
    return get_object_or_404(
        SigningKey.objects.select_related("issuer__faculty__institution"),
        public_id=public_id,
        algorithm=SigningKey.Algorithm.RS256,
    )


@require_GET
def key_issuer(request: HttpRequest, public_id) -> HttpResponse:
    """The issuer's OB 2.0 profile naming this key only, for badges signed with it."""
    signing_key = _rsa_key(public_id)
    return json_ld(
        request, credentials.issuer_profile_v2(signing_key.issuer, signing_key=signing_key)
    )


@require_GET
def key_badge_class(request: HttpRequest, public_id, badge_class_id) -> HttpResponse:
    """A badge class as the badges signed with this key name it."""
    signing_key = _rsa_key(public_id)
    obj = get_object_or_404(
        BadgeClass.objects.select_related("issuer__faculty__institution"),
        public_id=badge_class_id,
        issuer=signing_key.issuer,
    )
    return json_ld(request, credentials.badge_class_v2(obj, signing_key=signing_key))


@require_GET
def badge_class(request: HttpRequest, public_id) -> HttpResponse:
    obj = get_object_or_404(
        BadgeClass.objects.select_related("issuer__faculty__institution"), public_id=public_id
    )
    if wants_html(request):
        return _html(
            request,
            "public/badge_class.html",
            {
                "badge_class": obj,
                "json_url": links.badge_class_url(obj),
                "endorsements": _endorsements(badge_class=obj),
            },
        )
    return json_ld(request, credentials.badge_class_v2(obj))


@require_GET
def badge_class_image(request: HttpRequest, public_id) -> HttpResponse:
    obj = get_object_or_404(BadgeClass, public_id=public_id)
    return _image(request, obj.image, f"badge-{obj.public_id}")


def _assertion(public_id: str) -> Assertion:
    return get_object_or_404(
        Assertion.objects.select_related(
            "badge_class__issuer__faculty__institution", "recipient", "documents"
        ),
        public_id=public_id,
        status__in=ISSUED,
    )


@require_GET
def assertion(request: HttpRequest, public_id: str) -> HttpResponse:
    if not wants_html(request):
        # The hot path for verifiers: read only what the JSON answer needs.
        hosted = get_object_or_404(
            Assertion.objects.select_related("documents").only(
                "public_id",
                "status",
                "revocation_reason",
                "documents__ob2_body",
                "documents__ob2_etag",
            ),
            public_id=public_id,
            status__in=ISSUED,
        )
        revoked = hosted.status == Assertion.Status.REVOKED
        stored = getattr(hosted, "documents", None)
        if stored is not None and stored.ob2_body is not None:
            return stored_json(
                request, stored.ob2_body, stored.ob2_etag, status=410 if revoked else 200
            )
        if revoked:
            return json_ld(request, documents.revoked_assertion(hosted), status=410)
        return json_ld(request, hosted.ob2_assertion)
    obj = _assertion(public_id)
    return _html(
        request,
        "public/assertion.html",
        {
            "assertion": obj,
            "json_url": links.assertion_url(obj),
            "credential_url": links.credential_url(obj),
        },
    )


def _gone_or_missing(request: HttpRequest, obj: Assertion) -> HttpResponse:
    """A representation no longer kept: the erased personal data of a revoked badge."""
    if obj.status == Assertion.Status.REVOKED:
        return json_ld(request, documents.revoked_assertion(obj), status=410)
    raise Http404


@require_GET
def credential(request: HttpRequest, public_id: str) -> HttpResponse:
    obj = _assertion(public_id)
    stored = getattr(obj, "documents", None)
    if stored is not None and stored.ob3_body is not None:
        return stored_json(
            request, stored.ob3_body, stored.ob3_etag, content_type="application/vc+ld+json"
        )
    if not obj.ob3_credential:
        return _gone_or_missing(request, obj)
    return json_ld(request, obj.ob3_credential, content_type="application/vc+ld+json")


@require_GET
def credential_jwt(request: HttpRequest, public_id: str) -> HttpResponse:
    obj = _assertion(public_id)
    if not obj.ob3_jwt:
        return _gone_or_missing(request, obj)
    return raw(request, obj.ob3_jwt.encode("ascii"), "application/vc+jwt")


@require_GET
def signed_assertion(request: HttpRequest, public_id: str) -> HttpResponse:
    obj = _assertion(public_id)
    if not obj.ob2_jws:
        return _gone_or_missing(request, obj)
    return raw(request, obj.ob2_jws.encode("ascii"), "application/jose")


@require_GET
def assertion_image(request: HttpRequest, public_id: str, extension: str) -> HttpResponse:
    obj = _assertion(public_id)
    if extension not in ("png", "svg"):
        raise Http404
    data = baked_images.baked(obj, baked_images.PNG if extension == "png" else baked_images.SVG)
    if not data:
        return _gone_or_missing(request, obj)
    content_type = "image/png" if extension == "png" else "image/svg+xml"
    return raw(request, data, content_type, filename=f"badge-{obj.public_id}.{extension}")


@require_GET
def credential_image(request: HttpRequest, public_id: str) -> HttpResponse:
    obj = _assertion(public_id)
    data = baked_images.baked(obj, baked_images.SVG_CREDENTIAL)
    if not data:
        return _gone_or_missing(request, obj)
    return raw(request, data, "image/svg+xml", filename=f"credential-{obj.public_id}.svg")


@require_GET
def extension_context(request: HttpRequest) -> HttpResponse:
    """The legacy extension context: credentials issued before the versioned vocabulary
    name it, so it is served exactly as it always was."""
    return json_ld(request, extension_context_document(settings.SITE_URL))


@require_GET
def vocabulary_context(request: HttpRequest, version: int) -> HttpResponse:
    """The versioned context of our extension terms, byte for byte the copy bundled with
    ``badge_credentials`` (its fixed URL is ``https://w3id.org/edubadges/ns/v<version>``)."""
    from badge_credentials.contexts import bundled_context_bytes
    from badge_credentials.extension import CONTEXT_V1

    if version != 1:
        raise Http404
    return raw(request, bundled_context_bytes(CONTEXT_V1), "application/ld+json")


def _check_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "input": _("Badge recognised"),
        "structure": _("Complete and well-formed"),
        "hosted": _("Hosted by the issuer"),
        "signature": _("Signature"),
        "issuer_key": _("Key belongs to the issuer"),
        "key_validity": _("Key was valid when it signed"),
        "recipient": _("Issued to this recipient"),
        "expiry": _("Not expired"),
        "revocation": _("Not revoked"),
    }


def _format_label(report_format: str | None) -> str:
    from django.utils.translation import gettext as _

    return {
        "ob2-hosted": _("Open Badges 2.0 assertion (hosted)"),
        "ob2-signed": _("Open Badges 2.0 assertion (signed)"),
        "ob3-data-integrity": _("Open Badges 3.0 credential (Data Integrity proof)"),
        "ob3-vc-jwt": _("Open Badges 3.0 credential (VC-JWT)"),
    }.get(report_format or "", _("Unrecognised badge"))


def _moment(value: str | None):
    from badge_credentials.verify.common import parse_date

    return parse_date(value) if value else None


def _verified_badges(report) -> list[dict]:
    """One entry per badge examined (an image may carry several): what it says and its
    checks, with translated labels and dates as datetimes for the active language."""
    labels = _check_labels()
    badges = []
    for part in report.reports:
        summary = part.summary
        badges.append(
            {
                "valid": part.valid,
                "format": _format_label(part.format),
                "summary": summary,
                "issued_on": _moment(summary.issued_on),
                "expires": _moment(summary.expires),
                "checks": [(labels.get(check.name, check.name), check) for check in part.checks],
            }
        )
    return badges


def verify(request: HttpRequest) -> HttpResponse:
    """The public "Verify a badge" page."""
    from badges.verification import badge_verify

    from .forms import VerifyForm

    report = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif request.GET.get("url"):
        form = VerifyForm({"url": request.GET["url"]})
    else:
        form = VerifyForm()
    if form.is_bound and form.is_valid():
        report = badge_verify(data=form.badge_data(), recipient=form.cleaned_data.get("recipient"))
    context = {
        "form": form,
        "report": report,
        "image_check": report.checks[0] if report is not None and report.parts else None,
        "badges": _verified_badges(report) if report is not None else [],
    }
    return render(request, "public/verify.html", context)


@require_GET
@xframe_options_exempt
def assertion_embed(request: HttpRequest, public_id: str) -> HttpResponse:
    """A small card for other sites to embed (the only page that may be framed)."""
    obj = _assertion(public_id)
    return _html(
        request, "public/embed.html", {"assertion": obj, "page_url": links.assertion_url(obj)}
    )


@require_GET
def assertion_qr(request: HttpRequest, public_id: str) -> HttpResponse:
    from backpack.sharing import qr_svg

    obj = _assertion(public_id)
    return raw(
        request,
        qr_svg(links.assertion_url(obj)),
        "image/svg+xml",
        filename=f"qr-{obj.public_id}.svg",
    )


@require_GET
def collection(request: HttpRequest, token: str) -> HttpResponse:
    from backpack.models import Collection

    shared = get_object_or_404(
        Collection.objects.select_related("owner"), share_token=token, is_public=True
    )
    assertions = shared.assertions.filter(
        is_public=True, status=Assertion.Status.ISSUED
    ).select_related("badge_class__issuer__faculty__institution")
    return _html(
        request, "public/collection.html", {"collection": shared, "assertions": assertions}
    )


def _aligned_badges(items) -> dict[int, list[BadgeClass]]:
    """The active badge classes of every institution aligned to each of ``items``."""
    from badges.models import Alignment

    aligned: dict[int, list[BadgeClass]] = {item.pk: [] for item in items}
    alignments = (
        Alignment.objects.filter(framework_item__in=items, badge_class__archived=False)
        .select_related("badge_class__issuer__faculty__institution")
        .order_by("badge_class__issuer__faculty__institution__name_en", "badge_class__name_en")
    )
    for alignment in alignments:
        aligned[alignment.framework_item_id].append(alignment.badge_class)
    return aligned


@require_GET
def frameworks(request: HttpRequest) -> HttpResponse:
    from frameworks.models import CompetencyFramework

    listed = CompetencyFramework.objects.public().select_related("institution")
    return _html(request, "public/frameworks.html", {"frameworks": listed})


@require_GET
def framework(request: HttpRequest, public_id) -> HttpResponse:
    from frameworks.models import CompetencyFramework

    obj = get_object_or_404(
        CompetencyFramework.objects.select_related("institution"), public_id=public_id
    )
    items = list(obj.items.all())
    aligned = _aligned_badges(items)
    return _html(
        request,
        "public/framework.html",
        {"framework": obj, "items": [(item, aligned[item.pk]) for item in items]},
    )


@require_GET
def framework_item(request: HttpRequest, public_id, item_id) -> HttpResponse:
    from frameworks.models import FrameworkItem

    item = get_object_or_404(
        FrameworkItem.objects.select_related("framework__institution"),
        public_id=item_id,
        framework__public_id=public_id,
    )
    return _html(
        request,
        "public/framework_item.html",
        {
            "item": item,
            "framework": item.framework,
            "badge_classes": _aligned_badges([item])[item.pk],
        },
    )


def _endorsements(**target):
    return (
        Endorsement.objects.published()
        .filter(**target)
        .select_related("endorser__faculty__institution")
        .order_by("issued_on", "pk")
    )


def _published_endorsement(public_id) -> Endorsement:
    return get_object_or_404(
        Endorsement.objects.filter(
            status__in=(Endorsement.Status.ISSUED, Endorsement.Status.WITHDRAWN),
            issued_on__isnull=False,
        ),
        public_id=public_id,
    )


@require_GET
def endorsement(request: HttpRequest, public_id) -> HttpResponse:
    """The hosted OB 2.0 Endorsement; a withdrawn one answers 410 with ``revoked``."""
    obj = _published_endorsement(public_id)
    if obj.status == Endorsement.Status.WITHDRAWN:
        return json_ld(request, documents.withdrawn_endorsement(obj), status=410)
    return json_ld(request, obj.ob2_endorsement)


@require_GET
def endorsement_signed(request: HttpRequest, public_id) -> HttpResponse:
    obj = _published_endorsement(public_id)
    return raw(request, obj.ob2_jws.encode("ascii"), "application/jose")


@require_GET
def endorsement_credential(request: HttpRequest, public_id) -> HttpResponse:
    """The OB 3.0 EndorsementCredential; withdrawn, it stays here and its status says so."""
    obj = _published_endorsement(public_id)
    return json_ld(request, obj.ob3_credential, content_type="application/vc+ld+json")
