from django.urls import path

from . import awarding_views, endorsement_views, framework_views, views

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

# Awarding: direct and bulk awards, withdrawal, revocation, enrolment requests, audit trail.
urlpatterns += [
    path("badges/<int:pk>/award/", awarding_views.award_create, name="award_create"),
    path("badges/<int:pk>/awards/", awarding_views.badge_awards, name="badge_awards"),
    path(
        "badges/<int:pk>/awards/withdraw/", awarding_views.awards_withdraw, name="awards_withdraw"
    ),
    path(
        "badges/<int:pk>/assertions/revoke/",
        awarding_views.assertions_revoke,
        name="assertions_revoke",
    ),
    path("badges/<int:pk>/bulk/", awarding_views.bulk_upload, name="bulk_upload"),
    path("awards/<int:pk>/", awarding_views.award_detail, name="award"),
    path("awards/<int:pk>/withdraw/", awarding_views.award_withdraw, name="award_withdraw"),
    path("assertions/<int:pk>/", awarding_views.assertion_detail, name="assertion"),
    path(
        "assertions/<int:pk>/sign-again/",
        awarding_views.assertion_signing_retry,
        name="assertion_signing_retry",
    ),
    path(
        "badges/<int:pk>/assertions/sign-again/",
        awarding_views.assertions_signing_retry,
        name="assertions_signing_retry",
    ),
    path("bulk/<int:pk>/", awarding_views.bulk_detail, name="bulk"),
    path("bulk/<int:pk>/columns/", awarding_views.bulk_map, name="bulk_map"),
    path("bulk/<int:pk>/start/", awarding_views.bulk_start, name="bulk_start"),
    path("bulk/<int:pk>/cancel/", awarding_views.bulk_cancel, name="bulk_cancel"),
    path("bulk/<int:pk>/progress.json", awarding_views.bulk_progress, name="bulk_progress"),
    path("bulk/<int:pk>/report.csv", awarding_views.bulk_report, name="bulk_report"),
    path("enrolments/", awarding_views.enrollments, name="enrollments"),
    path("enrolments/approve/", awarding_views.enrollments_approve, name="enrollments_approve"),
    path("enrolments/<int:pk>/", awarding_views.enrollment_detail, name="enrollment"),
    path(
        "enrolments/<int:pk>/approve/",
        awarding_views.enrollment_approve,
        name="enrollment_approve",
    ),
    path("enrolments/<int:pk>/deny/", awarding_views.enrollment_deny, name="enrollment_deny"),
    path("institutions/<int:pk>/audit/", awarding_views.audit_log, name="audit_log"),
]

# Competency frameworks: the platform's, the institution's own and the shared ones.
urlpatterns += [
    path("frameworks/", framework_views.framework_list, name="frameworks"),
    path("frameworks/new/", framework_views.framework_create, name="framework_create"),
    path("frameworks/<int:pk>/", framework_views.framework_detail, name="framework"),
    path("frameworks/<int:pk>/edit/", framework_views.framework_edit, name="framework_edit"),
    path(
        "framework-items/<int:pk>/edit/",
        framework_views.framework_item_edit,
        name="framework_item_edit",
    ),
    path(
        "framework-items/<int:pk>/delete/",
        framework_views.framework_item_delete,
        name="framework_item_delete",
    ),
]

# Endorsements: given by an institution's issuers, received by its badges and issuers.
urlpatterns += [
    path("endorsements/", endorsement_views.endorsement_list, name="endorsements"),
    path(
        "endorsements/new/<str:kind>/<uuid:public_id>/",
        endorsement_views.endorsement_create,
        name="endorsement_create",
    ),
    path("endorsements/<int:pk>/", endorsement_views.endorsement_detail, name="endorsement"),
    path(
        "endorsements/<int:pk>/<str:decision>/",
        endorsement_views.endorsement_decide,
        name="endorsement_decide",
    ),
]
