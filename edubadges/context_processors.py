from django.http import HttpRequest

from issuers.models import Membership


def navigation(request: HttpRequest) -> dict:
    """Whether to offer the staff pages in the menu (students have none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"has_staff_pages": False}
    return {
        "has_staff_pages": lambda: (
            user.is_superuser or Membership.objects.filter(user=user).exists()
        )
    }
