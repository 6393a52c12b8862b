"""Help texts are translated when shown, in the reader's language, not once at import."""

from __future__ import annotations

import pytest
from django.utils import translation

from badges.forms import AwardForm, BulkUploadForm
from tests.factories import BadgeClassFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "evidence", "upload"),
    [
        ("en", "PDF, image, text, office document or zip", "UTF-8, with a header line"),
        ("nl", "PDF, afbeelding, tekst, Office-document of zip", "UTF-8, met een kopregel"),
    ],
)
def test_award_and_bulk_help_texts_follow_the_active_language(language, evidence, upload):
    badge_class = BadgeClassFactory()
    with translation.override(language):
        award = AwardForm(badge_class=badge_class, may_override=False)
        bulk = BulkUploadForm()
        assert str(award.fields["evidence_file"].help_text).startswith(evidence)
        assert "MB" in str(award.fields["evidence_file"].help_text)
        assert str(bulk.fields["file"].help_text).startswith(upload)
        assert "25000" in str(bulk.fields["file"].help_text)
