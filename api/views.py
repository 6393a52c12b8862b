"""REST API for learning and student information systems.

Clients authenticate with their token and act as their service account, so every query is
scoped by the same ``for_user`` selectors and permission rules as the staff pages: another
institution's badge classes, awards and badges are 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.awarding import awards as award_services
from badges.awarding import bulk as bulk_services
from badges.awarding import revocations
from badges.awarding.selectors import (
    assertions_for_user,
    awards_for_user,
    badge_classes_for,
    bulk_awards_for_user,
)
from badges.models import Award
from issuers.roles import Role

from .idempotency import HEADER, idempotent
from .serializers import (
    AssertionSerializer,
    AwardCreateSerializer,
    AwardSerializer,
    BadgeClassSerializer,
    BulkAwardCreateSerializer,
    BulkAwardSerializer,
    ReasonSerializer,
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per intended award; a retry with the same key returns the first answer.",
)


def _service_errors(call):
    """Translate service errors into API errors with field messages."""
    try:
        return call()
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise ApiValidationError(detail) from error
    except PermissionDenied as error:
        raise ApiPermissionDenied(str(error) or None) from error


class BadgeClassList(generics.ListAPIView):
    """Badge classes this client may see."""

    serializer_class = BadgeClassSerializer

    def get_queryset(self):
        badge_classes = badge_classes_for(self.request.user).select_related("issuer").order_by("pk")
        if issuer := self.request.query_params.get("issuer"):
            badge_classes = badge_classes.filter(issuer__public_id=issuer)
        return badge_classes


class BadgeClassDetail(generics.RetrieveAPIView):
    serializer_class = BadgeClassSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return badge_classes_for(self.request.user).select_related("issuer")


class AwardCreate(APIView):
    """Award a badge class to one recipient. Requires an Idempotency-Key."""

    @extend_schema(
        request=AwardCreateSerializer,
        responses={201: AwardSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, public_id):
        badge_class = get_object_or_404(badge_classes_for(request.user), public_id=public_id)

        def create() -> Response:
            serializer = AwardCreateSerializer(data=request.data)
            if not serializer.is_valid():
                return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
            try:
                award = _service_errors(
                    lambda: award_services.award_create(
                        actor=request.user, badge_class=badge_class, **serializer.validated_data
                    )
                )
            except (ApiValidationError, ApiPermissionDenied) as error:
                return Response(error.detail, status=error.status_code)
            return Response(AwardSerializer(award).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create)


class BulkAwardCreate(APIView):
    """Award a badge class to a whole cohort in one request. Requires an Idempotency-Key.

    The recipients are checked line by line as the lines of a CSV upload are, and at most
    as many can be sent as an upload may hold (``BULK_AWARD_MAX_ROWS``). Lines in error are
    skipped and reported under ``errors`` (``line`` counts the recipients from 1); the others
    are awarded in the background. Follow the progress at the ``Location`` given. When no
    recipient can be awarded, nothing is kept and the answer is 400 with the same errors.
    """

    @extend_schema(
        request=BulkAwardCreateSerializer,
        responses={
            202: BulkAwardSerializer,
            400: OpenApiResponse(description="No recipient can be awarded, or a malformed body."),
            413: OpenApiResponse(description="The body is larger than BULK_AWARD_MAX_BYTES."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, public_id):
        badge_class = get_object_or_404(badge_classes_for(request.user), public_id=public_id)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.BULK_AWARD_MAX_BYTES:
            return Response(
                {
                    "detail": _("The request is larger than %(max)s bytes; send fewer recipients.")
                    % {"max": settings.BULK_AWARD_MAX_BYTES}
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )

        def submit() -> Response:
            serializer = BulkAwardCreateSerializer(data=request.data)
            if not serializer.is_valid():
                return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
            try:
                bulk = _service_errors(
                    lambda: bulk_services.bulk_award_submit(
                        actor=request.user,
                        badge_class=badge_class,
                        recipients=serializer.validated_data["recipients"],
                        name=f"API · {request.api_client.name}",
                    )
                )
            except ApiValidationError as error:
                cause = error.__cause__
                if isinstance(cause, bulk_services.NothingToAward):
                    return Response(
                        {**error.detail, "errors": bulk_services.lines_in_error(cause.rows)},
                        status=status.HTTP_400_BAD_REQUEST,
                    )
                return Response(error.detail, status=error.status_code)
            except ApiPermissionDenied as error:
                return Response(error.detail, status=error.status_code)
            report = BulkAwardSerializer(bulk_services.bulk_award_report(bulk)).data
            return Response(
                report,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("api:bulk_award", args=[bulk.public_id])},
            )

        return idempotent(request, submit)


class BulkAwardDetail(APIView):
    """Where a bulk award stands: recipients sent, awarded, issued, failed (with the errors
    per line) and still pending."""

    @extend_schema(responses={200: BulkAwardSerializer})
    def get(self, request, public_id):
        bulk = get_object_or_404(bulk_awards_for_user(request.user), public_id=public_id)
        return Response(BulkAwardSerializer(bulk_services.bulk_award_report(bulk)).data)


class AwardList(generics.ListAPIView):
    serializer_class = AwardSerializer

    def get_queryset(self):
        awards = (
            awards_for_user(self.request.user)
            .select_related("badge_class")
            .order_by("-created_at", "-pk")
        )
        if badge_class := self.request.query_params.get("badge_class"):
            awards = awards.filter(badge_class__public_id=badge_class)
        if state := self.request.query_params.get("status"):
            awards = awards.filter(status=state)
        return awards


class AwardDetail(generics.RetrieveAPIView):
    serializer_class = AwardSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return awards_for_user(self.request.user).select_related("badge_class")


class AwardWithdraw(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: AwardSerializer})
    def post(self, request, public_id):
        award = get_object_or_404(awards_for_user(request.user, Role.AWARDER), public_id=public_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        award = _service_errors(
            lambda: award_services.award_withdraw(
                actor=request.user, award=award, reason=serializer.validated_data["reason"]
            )
        )
        return Response(AwardSerializer(Award.objects.get(pk=award.pk)).data)


class AssertionDetail(generics.RetrieveAPIView):
    serializer_class = AssertionSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return assertions_for_user(self.request.user)


class AssertionRevoke(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: AssertionSerializer})
    def post(self, request, public_id):
        assertion = get_object_or_404(
            assertions_for_user(request.user, Role.AWARDER), public_id=public_id
        )
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _service_errors(
            lambda: revocations.assertions_revoke(
                actor=request.user,
                assertions=[assertion],
                reason=serializer.validated_data["reason"],
            )
        )
        assertion.refresh_from_db()
        return Response(AssertionSerializer(assertion).data)
