from django.db import migrations
from django.db.models import Q

from badges.published import etag_for, json_body

FIELDS = (
    "ob2_assertion",
    "ob2_jws",
    "ob3_credential",
    "ob3_jwt",
    "baked_png",
    "baked_svg",
    "baked_svg_credential",
)
BATCH = 500


def _body(document):
    if not document:
        return None, ""
    body = json_body(document)
    return body, etag_for(body)


def move_documents(apps, schema_editor):
    """Copy the signed documents and baked images of every assertion into their own table,
    with the stored answers of the hosted assertion (while not revoked) and the credential.
    A revoked assertion's notice is built when first asked for."""
    assertion_model = apps.get_model("badges", "Assertion")
    documents_model = apps.get_model("badges", "AssertionDocuments")
    batch = []
    signed = (
        assertion_model.objects.filter(
            Q(ob2_assertion__isnull=False)
            | Q(ob3_credential__isnull=False)
            | Q(baked_png__isnull=False)
            | Q(baked_svg__isnull=False)
            | Q(baked_svg_credential__isnull=False)
            | ~Q(ob2_jws="")
            | ~Q(ob3_jwt="")
        )
        .order_by("pk")
        .values("pk", "status", *FIELDS)
    )
    for row in signed.iterator(chunk_size=BATCH):
        ob2_body, ob2_etag = _body(row["ob2_assertion"] if row["status"] != "revoked" else None)
        ob3_body, ob3_etag = _body(row["ob3_credential"])
        batch.append(
            documents_model(
                assertion_id=row["pk"],
                **{name: row[name] for name in FIELDS},
                ob2_body=ob2_body,
                ob2_etag=ob2_etag,
                ob3_body=ob3_body,
                ob3_etag=ob3_etag,
            )
        )
        if len(batch) >= BATCH:
            documents_model.objects.bulk_create(batch)
            batch = []
    if batch:
        documents_model.objects.bulk_create(batch)


def move_back(apps, schema_editor):
    assertion_model = apps.get_model("badges", "Assertion")
    documents_model = apps.get_model("badges", "AssertionDocuments")
    for stored in documents_model.objects.order_by("pk").iterator(chunk_size=BATCH):
        assertion_model.objects.filter(pk=stored.pk).update(
            **{name: getattr(stored, name) for name in FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0008_assertion_documents"),
    ]

    operations = [migrations.RunPython(move_documents, move_back)]
