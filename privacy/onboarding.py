from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.badge_types import BadgeType
from issuers.models import Institution
from issuers.onboarding import ChecklistItem

from .models import PrivacyPolicy


def privacy_checks(institution: Institution) -> Iterable[ChecklistItem]:
    policies = {
        policy.badge_type: policy
        for policy in PrivacyPolicy.objects.filter(institution=institution).prefetch_related(
            "statements"
        )
    }
    today = timezone.localdate()
    for badge_type in institution.enabled_badge_types or []:
        label = BadgeType(badge_type).label
        policy = policies.get(badge_type)
        policy_page = (
            reverse("admin:privacy_privacypolicy_change", args=[policy.pk])
            if policy
            else f"{reverse('admin:privacy_privacypolicy_add')}?"
            + urlencode({"institution": institution.pk, "badge_type": badge_type})
        )
        yield ChecklistItem(
            policy is not None,
            _("%(type)s enabled: legal basis chosen.") % {"type": label},
            badge_type,
            admin_url=policy_page,
            staff_url=reverse("privacy:staff_policy_edit", args=[institution.pk, badge_type]),
        )
        has_statement = policy is not None and any(
            statement.effective_date <= today for statement in policy.statements.all()
        )
        yield ChecklistItem(
            has_statement,
            _("%(type)s enabled: privacy statement in effect.") % {"type": label},
            badge_type,
            admin_url=policy_page,
            staff_url=reverse(
                "privacy:staff_statement_create" if policy else "privacy:staff_policy_edit",
                args=[institution.pk, badge_type],
            ),
        )
