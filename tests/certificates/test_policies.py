"""Who manages a holder and who issues certificates: certificates asks hooks, first or all."""

from __future__ import annotations

import pytest
from wagtail import hooks

from imh_certificates.policies import issuer_default, managers_of, user_is_manager
from imh_core.hooks import (
    IMH_CERTIFICATE_IS_MANAGER_POLICIES,
    IMH_CERTIFICATE_ISSUER,
    IMH_CERTIFICATE_MANAGERS,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_first_issuer_answer_wins_and_empty_answers_pass(only_hooks, settings):
    settings.IMH_CERTIFICATE_ISSUER_DEFAULT = "Fallback Trust"
    only_hooks(
        IMH_CERTIFICATE_ISSUER,
        lambda: {},
        lambda: {"name": "Northshire Council", "logo": None},
        lambda: {"name": "Never asked", "logo": None},
    )
    assert issuer_default() == {"name": "Northshire Council", "logo": None}


def test_an_issuer_answer_without_a_name_keeps_the_setting(only_hooks, settings):
    settings.IMH_CERTIFICATE_ISSUER_DEFAULT = "Fallback Trust"
    only_hooks(IMH_CERTIFICATE_ISSUER, lambda: {"logo": "a logo"})
    assert issuer_default() == {"name": "Fallback Trust", "logo": "a logo"}


def test_a_host_site_goes_before_the_reference_site_with_a_lower_order():
    def host():
        return {"name": "Host Site Academy", "logo": None}

    with hooks.register_temporarily(IMH_CERTIFICATE_ISSUER, host, order=-1):
        assert issuer_default()["name"] == "Host Site Academy"


def test_managers_from_every_answer_count_once(only_hooks):
    holder, first, second = UserFactory(), UserFactory(), UserFactory()
    only_hooks(
        IMH_CERTIFICATE_MANAGERS,
        lambda who: [first, second] if who == holder else [],
        lambda who: [second],
    )
    assert sorted(user.pk for user in managers_of(holder)) == sorted([first.pk, second.pk])


def test_any_is_manager_answer_is_enough_and_none_means_no(only_hooks):
    manager, other = UserFactory(), UserFactory()
    only_hooks(IMH_CERTIFICATE_IS_MANAGER_POLICIES)
    assert user_is_manager(user=manager) is False
    only_hooks(
        IMH_CERTIFICATE_IS_MANAGER_POLICIES,
        lambda user: False,
        lambda user: user.pk == manager.pk,
    )
    assert user_is_manager(user=manager) is True
    assert user_is_manager(user=other) is False
