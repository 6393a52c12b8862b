from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api.ob3 import urls as ob3_urls
from api.ob3 import views as ob3_views

from . import views

handler400 = "edubadges.errors.bad_request"
handler403 = "edubadges.errors.permission_denied"
handler404 = "edubadges.errors.page_not_found"
handler500 = "edubadges.errors.server_error"

admin.site.site_header = _("edubadges platform administration")
admin.site.site_title = _("edubadges")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("staff/insights/", include("insights.urls")),
    path("staff/", include("staff.urls")),
    path("privacy/", include("privacy.urls")),
    path("student/", include("students.urls")),
    path("backpack/", include("backpack.urls")),
    path("api/v1/", include("api.urls")),
    path("ims/ob/v3p0/", include((ob3_urls.api_patterns, "ob3"))),
    path("oauth/", include((ob3_urls.oauth_patterns, "oauth"))),
    path(
        ".well-known/oauth-authorization-server",
        ob3_views.authorization_server_metadata,
        name="oauth_metadata",
    ),
    path("apps/", include((ob3_urls.app_patterns, "apps"))),
    path("staff/", include("api.staff_urls")),
    path("", include("public.urls")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]
