from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    # The student's own pages.
    path("", views.overview, name="overview"),
    path("consent/<int:institution_id>/<str:badge_type>/", views.consent, name="consent"),
    path("statements/<int:institution_id>/<str:badge_type>/", views.statement, name="statement"),
    path("withdraw/<int:institution_id>/<str:badge_type>/", views.withdraw, name="withdraw"),
    path("object/<int:institution_id>/<str:badge_type>/", views.objection, name="object"),
    path("exports/", views.export_request, name="export_request"),
    path("exports/<uuid:public_id>/", views.export_download, name="export_download"),
    path("account/delete/", views.account_delete, name="account_delete"),
    # Institution admins.
    path("staff/institutions/<int:pk>/", views.staff_institution, name="staff_institution"),
    path(
        "staff/institutions/<int:pk>/types/<str:badge_type>/basis/",
        views.staff_policy_edit,
        name="staff_policy_edit",
    ),
    path(
        "staff/institutions/<int:pk>/types/<str:badge_type>/statements/new/",
        views.staff_statement_create,
        name="staff_statement_create",
    ),
    path(
        "staff/institutions/<int:pk>/statements/<int:statement_pk>/",
        views.staff_statement,
        name="staff_statement",
    ),
    path("staff/institutions/<int:pk>/register/", views.staff_register, name="staff_register"),
    path("staff/institutions/<int:pk>/log/", views.staff_audit_log, name="staff_audit_log"),
]
