from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("badge-classes/", views.BadgeClassList.as_view(), name="badge_classes"),
    path("badge-classes/<uuid:public_id>/", views.BadgeClassDetail.as_view(), name="badge_class"),
    path(
        "badge-classes/<uuid:public_id>/awards/", views.AwardCreate.as_view(), name="award_create"
    ),
    path(
        "badge-classes/<uuid:public_id>/bulk-awards/",
        views.BulkAwardCreate.as_view(),
        name="bulk_award_create",
    ),
    path("bulk-awards/<uuid:public_id>/", views.BulkAwardDetail.as_view(), name="bulk_award"),
    path("awards/", views.AwardList.as_view(), name="awards"),
    path("awards/<uuid:public_id>/", views.AwardDetail.as_view(), name="award"),
    path("awards/<uuid:public_id>/withdraw/", views.AwardWithdraw.as_view(), name="award_withdraw"),
    path("assertions/<str:public_id>/", views.AssertionDetail.as_view(), name="assertion"),
    path(
        "assertions/<str:public_id>/revoke/",
        views.AssertionRevoke.as_view(),
        name="assertion_revoke",
    ),
]
