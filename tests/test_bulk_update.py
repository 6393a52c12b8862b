"""Many rows get their own values in one statement, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from accounts.models import User
from edubadges.bulk import update_columns
from issuers.models import Faculty
from tests.factories import FacultyFactory, InstitutionFactory, UserFactory


def test_each_row_gets_its_own_values_and_the_others_keep_theirs(db):
    first, second, untouched = (
        UserFactory(first_name="A", preferred_language="nl") for _ in range(3)
    )
    update_columns(
        User,
        ["first_name", "preferred_language"],
        {first.pk: ("Ünïcode ' ; --", "en"), second.pk: ("B", "")},
    )
    names = dict(User.objects.values_list("pk", "first_name"))
    languages = dict(User.objects.values_list("pk", "preferred_language"))
    assert (names[first.pk], languages[first.pk]) == ("Ünïcode ' ; --", "en")
    assert (names[second.pk], languages[second.pk]) == ("B", "")
    assert (names[untouched.pk], languages[untouched.pk]) == ("A", "nl")
    update_columns(User, ["first_name"], {})  # nothing to write


def test_a_foreign_key_can_be_changed(db):
    institution, other = InstitutionFactory(), InstitutionFactory()
    faculty = FacultyFactory(institution=institution)
    update_columns(Faculty, ["institution"], {faculty.pk: (other.pk,)})
    faculty.refresh_from_db()
    assert faculty.institution == other
