from django.urls import path

from . import staff_views

app_name = "api_staff"

urlpatterns = [
    path("institutions/<int:institution_pk>/api-clients/", staff_views.clients, name="clients"),
    path(
        "institutions/<int:institution_pk>/api-clients/<uuid:public_id>/revoke/",
        staff_views.client_revoke,
        name="client_revoke",
    ),
]
