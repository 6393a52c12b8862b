from django.urls import path

from . import views

app_name = "backpack"

urlpatterns = [
    path("", views.backpack, name="list"),
    path("badges/<str:public_id>/", views.detail, name="detail"),
    path("badges/<str:public_id>/sharing/", views.sharing_settings, name="sharing"),
    path("badges/<str:public_id>/certificate.pdf", views.certificate, name="certificate"),
    path("badges/<str:public_id>/hide/", views.hide, name="hide"),
    path("badges/<str:public_id>/delete/", views.delete, name="delete"),
    path("collections/", views.collections, name="collections"),
    path("collections/new/", views.collection_edit, name="collection_create"),
    path("collections/<int:pk>/", views.collection_edit, name="collection_edit"),
    path("collections/<int:pk>/delete/", views.collection_delete, name="collection_delete"),
    path("import/", views.import_badge, name="import"),
    path("external/<uuid:public_id>/", views.external, name="external"),
    path("external/<uuid:public_id>/image", views.external_image, name="external_image"),
    path("external/<uuid:public_id>/delete/", views.external_delete, name="external_delete"),
]
