"""How a person is named: one rule for pages, emails, admin listings and certificates."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from imh_core.people import (
    person_name,
    person_name_from,
    person_name_with_email,
    select_people,
    user_has_profile,
)
from imh_organisations.models import Membership
from tests.accounts.factories import ProfileFactory
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory


class Person(SimpleNamespace):
    """A user as far as naming goes, without the database."""

    def get_full_name(self) -> str:
        return self.full

    def get_username(self) -> str:
        return self.username


def _person(**kwargs) -> Person:
    return Person(**{"full": "", "email": "", "username": "user7", **kwargs})


def test_the_profile_name_comes_first_then_the_account_name_then_email_then_username():
    profile = SimpleNamespace(full_name="  Dr Alex   Tester ")
    assert person_name(_person(full="Alex Tester", email="a@x.org", profile=profile)) == (
        "Dr Alex Tester"
    )
    assert person_name(_person(full="Alex  Tester", email="a@x.org")) == "Alex Tester"
    assert person_name(_person(email="a@x.org", profile=SimpleNamespace(full_name=""))) == (
        "a@x.org"
    )
    assert person_name(_person()) == "user7"
    assert person_name(None) == ""


def test_public_names_never_fall_back_to_the_email_address():
    assert person_name(_person(email="a@x.org"), email_fallback=False) == "user7"
    assert person_name(_person(full="Ann Lee", email="a@x.org"), email_fallback=False) == (
        "Ann Lee"
    )


def test_name_with_email_for_staff_listings():
    assert person_name_with_email(_person(full="Ann Lee", email="a@x.org")) == "Ann Lee (a@x.org)"
    # No name: the address once, not "a@x.org (a@x.org)".
    assert person_name_with_email(_person(email="a@x.org")) == "a@x.org"
    assert person_name_with_email(_person(full="Ann Lee")) == "Ann Lee"
    assert person_name_with_email(None) == ""


def test_name_from_values_rows_follows_the_same_rule():
    assert person_name_from(full_name=" Dr Ann ", first_name="A", last_name="L", email="e") == (
        "Dr Ann"
    )
    assert person_name_from(full_name=None, first_name="Ann", last_name="Lee", email="e") == (
        "Ann Lee"
    )
    assert person_name_from(full_name="", first_name="", last_name="", email="a@x.org") == (
        "a@x.org"
    )


@pytest.mark.django_db
def test_real_users_with_and_without_a_profile():
    assert person_name(ProfileFactory(full_name="Priya Shah").user) == "Priya Shah"
    assert person_name(UserFactory(first_name="Ann", last_name="Lee")) == "Ann Lee"
    nameless = UserFactory(first_name="", last_name="")
    assert person_name(nameless) == nameless.email
    assert person_name(nameless, email_fallback=False) == nameless.username


@pytest.mark.django_db
def test_select_people_names_everyone_in_one_query(django_assert_num_queries):
    assert user_has_profile()
    for _ in range(3):
        MembershipFactory(user=ProfileFactory().user)
    with django_assert_num_queries(1):
        names = [person_name(m.user) for m in select_people(Membership.objects.all(), "user")]
    assert len(names) == 3
    assert all(name.startswith("Alex Midwife") for name in names)
