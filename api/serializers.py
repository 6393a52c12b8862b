from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from badges import links
from badges.models import Assertion, Award, BadgeClass, BulkAward


class BadgeClassSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    issuer = serializers.UUIDField(source="issuer.public_id", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name_en", read_only=True)
    open_badges_url = serializers.SerializerMethodField()

    class Meta:
        model = BadgeClass
        fields = [
            "id",
            "badge_type",
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "issuer",
            "issuer_name",
            "eqf_level",
            "nlqf_level",
            "study_load_ects",
            "study_load_hours",
            "narrative_required",
            "evidence_required",
            "archived",
            "open_badges_url",
        ]

    def get_open_badges_url(self, badge_class: BadgeClass) -> str:
        return links.badge_class_url(badge_class)


class AssertionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    credential_url = serializers.SerializerMethodField()

    class Meta:
        model = Assertion
        fields = [
            "id",
            "status",
            "issued_on",
            "expires_at",
            "revoked_at",
            "revocation_reason",
            "url",
            "credential_url",
        ]

    def get_url(self, assertion: Assertion) -> str:
        return links.assertion_url(assertion)

    def get_credential_url(self, assertion: Assertion) -> str:
        return links.credential_url(assertion)


class AwardSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    badge_class = serializers.UUIDField(source="badge_class.public_id", read_only=True)
    assertion = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "id",
            "badge_class",
            "status",
            "recipient_email",
            "recipient_eppn",
            "recipient_name",
            "scheduled_for",
            "offered_at",
            "expires_at",
            "decided_at",
            "created_at",
            "assertion",
        ]

    def get_assertion(self, award: Award) -> dict | None:
        assertion = Assertion.objects.filter(award=award).first()
        return AssertionSerializer(assertion).data if assertion else None


class AwardCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    eppn = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    recipient_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )
    recipient_language = serializers.ChoiceField(
        choices=["", "nl", "en"], required=False, default=""
    )
    narrative = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10_000
    )
    evidence_url = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    grade = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("email") and not attrs.get("eppn"):
            raise serializers.ValidationError(
                {"email": [_("Give the recipient's email address or eppn.")]}
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class BulkAwardRecipientSerializer(serializers.Serializer):
    """One recipient of a bulk award. Only the shape is checked here: what is wrong with a
    recipient (a bad address, a duplicate, a missing narrative) is reported per line."""

    email = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=True
    )
    eppn = serializers.CharField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_url = serializers.CharField(required=False, allow_blank=True, default="")
    grade = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="nl or en"
    )


class BulkAwardCreateSerializer(serializers.Serializer):
    recipients = BulkAwardRecipientSerializer(many=True, allow_empty=False)


class BulkAwardLineErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BulkAwardLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Position of the recipient in the list, from 1.")
    email = serializers.CharField()
    eppn = serializers.CharField()
    errors = BulkAwardLineErrorSerializer(many=True)


class BulkAwardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    badge_class = serializers.UUIDField()
    status = serializers.ChoiceField(choices=BulkAward.Status.choices)
    total = serializers.IntegerField(help_text="Recipients sent.")
    awarded = serializers.IntegerField(help_text="Awards created so far.")
    issued = serializers.IntegerField(
        help_text="Badges issued from these awards so far (claimed or issued directly)."
    )
    failed = serializers.IntegerField(help_text="Recipients not awarded; see errors.")
    pending = serializers.IntegerField(help_text="Recipients still to be awarded.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    errors = BulkAwardLineSerializer(many=True)
