from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path(
        "institutions/<int:institution_pk>/faculties/new/",
        views.faculty_create,
        name="faculty_create",
    ),
    path("faculties/<int:pk>/", views.faculty_detail, name="faculty"),
    path("faculties/<int:pk>/edit/", views.faculty_edit, name="faculty_edit"),
    path("faculties/<int:faculty_pk>/issuers/new/", views.issuer_create, name="issuer_create"),
    path("issuers/<int:pk>/", views.issuer_detail, name="issuer"),
    path("issuers/<int:pk>/edit/", views.issuer_edit, name="issuer_edit"),
    path(
        "issuers/<int:issuer_pk>/badges/new/", views.badge_class_create, name="badge_class_create"
    ),
    path("badges/<int:pk>/", views.badge_class_detail, name="badge_class"),
    path("badges/<int:pk>/edit/", views.badge_class_edit, name="badge_class_edit"),
    path("<str:scope_type>/<int:pk>/members/", views.members, name="members"),
    path(
        "<str:scope_type>/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
