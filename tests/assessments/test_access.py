"""Who may attempt activities: assessments asks the IMH_ATTEMPT_POLICIES hook."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail import hooks

from imh_assessments.access import pages_user_may_attempt
from imh_core.hooks import IMH_ATTEMPT_POLICIES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_may_attempt_anything_without_an_answer(only_hooks):
    only_hooks(IMH_ATTEMPT_POLICIES)
    assert pages_user_may_attempt(user=UserFactory(), page_ids=[1, 2]) == set()


def test_a_page_is_open_when_any_answer_opens_it(only_hooks):
    only_hooks(
        IMH_ATTEMPT_POLICIES,
        lambda user, page_ids: {1},
        lambda user, page_ids: {3, 99},  # a page not asked about is never let through
    )
    assert pages_user_may_attempt(user=UserFactory(), page_ids=[1, 2, 3]) == {1, 3}


def test_once_every_page_is_open_the_other_answers_are_not_asked(only_hooks):
    asked = []

    def second(user, page_ids):
        asked.append(page_ids)
        return set()

    only_hooks(IMH_ATTEMPT_POLICIES, lambda user, page_ids: set(page_ids), second)
    assert pages_user_may_attempt(user=UserFactory(), page_ids=[4, 5]) == {4, 5}
    assert asked == []


def test_anonymous_visitors_are_never_asked_about():
    def everyone(user, page_ids):
        return set(page_ids)

    with hooks.register_temporarily(IMH_ATTEMPT_POLICIES, everyone):
        assert pages_user_may_attempt(user=AnonymousUser(), page_ids=[1]) == set()
        assert pages_user_may_attempt(user=UserFactory(), page_ids=[1]) == {1}
