from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("badges/", views.my_badges, name="my_badges"),
    path("claim/<str:token>/", views.claim, name="claim"),
    path("claim/<str:token>/decline/", views.decline, name="decline"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<uuid:public_id>/", views.catalogue_detail, name="catalogue_detail"),
    path("enrolments/", views.enrollments, name="enrollments"),
    path("enrolments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"),
    path("evidence/<uuid:public_id>/", views.evidence, name="evidence"),
]
