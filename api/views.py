"""REST API for learning and student information systems.

Clients authenticate with their token and act as their service account, so every query is
scoped by the same ``for_user`` selectors and permission rules as the staff pages: another
institution's badge classes, awards and badges are 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.awarding import awards as award_services
from badges.awarding import revocations
from badges.awarding.selectors import assertions_for_user, awards_for_user, badge_classes_for
from badges.models import Award
from issuers.roles import Role

from .idempotency import HEADER, idempotent
from .serializers import (
    AssertionSerializer,
    AwardCreateSerializer,
    AwardSerializer,
    BadgeClassSerializer,
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
