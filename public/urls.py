from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("public/issuers/<uuid:public_id>", views.issuer, name="issuer"),
    path("public/issuers/<uuid:public_id>/image", views.issuer_image, name="issuer_image"),
    path("public/issuers/<uuid:public_id>/did.json", views.issuer_did, name="issuer_did"),
    path("public/issuers/<uuid:public_id>/revocations", views.revocations, name="revocations"),
    path("public/issuers/<uuid:public_id>/status", views.status_list, name="status_list"),
    path(
        "public/issuers/<uuid:public_id>/status-lists/<int:number>",
        views.status_list_credential,
        name="status_list_credential",
    ),
    path("public/keys/<uuid:public_id>", views.key, name="key"),
    path("public/keys/<uuid:public_id>/issuer", views.key_issuer, name="key_issuer"),
    path(
        "public/keys/<uuid:public_id>/badges/<uuid:badge_class_id>",
        views.key_badge_class,
        name="key_badge_class",
    ),
    path("public/badges/<uuid:public_id>", views.badge_class, name="badge_class"),
    path("public/badges/<uuid:public_id>/image", views.badge_class_image, name="badge_class_image"),
    path("public/assertions/<str:public_id>", views.assertion, name="assertion"),
    path("public/assertions/<str:public_id>/credential", views.credential, name="credential"),
    path(
        "public/assertions/<str:public_id>/credential.jwt",
        views.credential_jwt,
        name="credential_jwt",
    ),
    path(
        "public/assertions/<str:public_id>/credential.svg",
        views.credential_image,
        name="credential_image",
    ),
    path(
        "public/assertions/<str:public_id>/signed", views.signed_assertion, name="signed_assertion"
    ),
    path(
        "public/assertions/<str:public_id>/image.<str:extension>",
        views.assertion_image,
        name="assertion_image",
    ),
    path("public/assertions/<str:public_id>/embed", views.assertion_embed, name="assertion_embed"),
    path("public/assertions/<str:public_id>/qr.svg", views.assertion_qr, name="assertion_qr"),
    path("public/collections/<str:token>", views.collection, name="collection"),
    path("public/frameworks/", views.frameworks, name="frameworks"),
    path("public/frameworks/<uuid:public_id>", views.framework, name="framework"),
    path(
        "public/frameworks/<uuid:public_id>/items/<uuid:item_id>",
        views.framework_item,
        name="framework_item",
    ),
    path("public/endorsements/<uuid:public_id>", views.endorsement, name="endorsement"),
    path(
        "public/endorsements/<uuid:public_id>/signed",
        views.endorsement_signed,
        name="endorsement_signed",
    ),
    path(
        "public/endorsements/<uuid:public_id>/credential",
        views.endorsement_credential,
        name="endorsement_credential",
    ),
    path("verify/", views.verify, name="verify"),
    path("ns/badges/context-v1.jsonld", views.extension_context, name="extension_context"),
    path("ns/edubadges/v<int:version>", views.vocabulary_context, name="vocabulary_context"),
]
