"""Observations of practice: who may record them, what is refused, and the evidence they leave."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from imh_competencies import services
from imh_competencies.models import Evidence, Observation, ObservationCompetency
from imh_competencies.policies import user_may_observe
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

NEW_URL = reverse("imh_competencies:observation_new")


@pytest.fixture
def framework(db):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    first = AreaFactory(framework=framework, code="A1", name="Relationships", sort_order=1)
    second = AreaFactory(framework=framework, code="A2", name="Assessment", sort_order=2)
    CompetencyFactory(area=first, code="1.1", short_name="Attunement")
    CompetencyFactory(area=first, code="1.2", short_name="Reflective practice")
    CompetencyFactory(area=second, code="2.1", short_name="Observation of the baby")
    return framework


@pytest.fixture
def competencies(framework):
    return list(framework.competencies.order_by("code"))


@pytest.fixture
def educator(db):
    user = UserFactory(first_name="Erin", last_name="Educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Riverside Health Visiting")


@pytest.fixture
def trainee(organisation):
    user = UserFactory(first_name="Tara", last_name="Trainee")
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def supervisor(organisation):
    return MembershipFactory(organisation=organisation, is_supervisor=True).user


@pytest.fixture
def colleague(organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def other_supervisor(db):
    elsewhere = OrganisationFactory(name="Hillside Nursery")
    MembershipFactory(organisation=elsewhere, user=UserFactory(first_name="Sam", last_name="Staff"))
    return MembershipFactory(organisation=elsewhere, is_supervisor=True).user


def _rating_data(competencies, *, levels=(2, 1, 1), outcomes=("met", "not_yet", "")) -> dict:
    data = {}
    for competency, level, outcome in zip(competencies, levels, outcomes, strict=True):
        data[f"level_{competency.pk}"] = str(level)
        data[f"outcome_{competency.pk}"] = outcome
    return data


def _post_data(framework, competencies, *, trainee_email="", supervisee="", **overrides) -> dict:
    data = {
        "framework": framework.slug,
        "observed_on": timezone.localdate().isoformat(),
        "setting": "Home visit",
        "comments": "Followed the baby's cues during feeding.",
        **_rating_data(competencies),
    }
    if trainee_email:
        data["trainee_email"] = trainee_email
    if supervisee:
        data["supervisee"] = str(supervisee)
    data.update(overrides)
    return data


# Who may observe.


def test_educator_and_named_supervisor_may_observe(educator, supervisor, trainee):
    assert user_may_observe(observer=educator, trainee=trainee)
    assert user_may_observe(observer=supervisor, trainee=trainee)


def test_other_organisations_supervisor_and_plain_colleague_may_not(
    other_supervisor, colleague, trainee
):
    assert not user_may_observe(observer=other_supervisor, trainee=trainee)
    assert not user_may_observe(observer=colleague, trainee=trainee)
    assert not user_may_observe(observer=trainee, trainee=trainee)


def test_plain_colleague_cannot_open_the_recording_page(client, colleague):
    client.force_login(colleague)
    assert client.get(NEW_URL).status_code == 403


def test_plain_colleague_is_refused_by_the_service(colleague, trainee, framework, competencies):
    with pytest.raises(PermissionDenied):
        services.observation_record(
            observer=colleague,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate(),
            setting="Home visit",
            ratings=[(competencies[0].pk, 1, "met")],
        )
    assert not Observation.objects.exists()


def test_supervisor_of_another_organisation_cannot_choose_the_trainee(
    client, other_supervisor, trainee, framework, competencies
):
    client.force_login(other_supervisor)
    page = client.get(NEW_URL).content.decode()
    assert "Sam Staff" in page
    assert "Tara Trainee" not in page
    response = client.post(
        NEW_URL, _post_data(framework, competencies, supervisee=trainee.pk), follow=False
    )
    assert response.status_code == 200
    assert not Observation.objects.exists()
    # No email search for supervisors: only educators may find anyone.
    response = client.post(
        NEW_URL, _post_data(framework, competencies, trainee_email=trainee.email)
    )
    assert not Observation.objects.exists()
    assert b"Choose the person whose practice you observed" in response.content


# Recording through the pages.


def test_supervisor_picks_a_supervisee_and_records(
    client, supervisor, trainee, framework, competencies
):
    client.force_login(supervisor)
    page = client.get(NEW_URL)
    assert page.status_code == 200
    assert "Tara Trainee" in page.content.decode()
    step_two = client.get(NEW_URL, {"supervisee": trainee.pk, "framework": framework.slug})
    html = step_two.content.decode()
    assert "Step 2 of 2" in html
    assert "Attunement" in html
    response = client.post(NEW_URL, _post_data(framework, competencies, supervisee=trainee.pk))
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "imh_competencies:observation_detail", args=[observation.pk]
    )
    assert observation.observer == supervisor
    assert observation.trainee == trainee


def test_educator_records_by_email_and_evidence_follows_each_rating(
    client, educator, trainee, framework, competencies, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_URL, _post_data(framework, competencies, trainee_email=trainee.email.upper())
        )
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.setting == "Home visit"
    evidence = {
        item.competency_id: item
        for item in Evidence.objects.filter(user=trainee, kind=Evidence.Kind.OBSERVATION)
    }
    assert set(evidence) == {competencies[0].pk, competencies[1].pk}
    assert evidence[competencies[0].pk].outcome == Evidence.Outcome.MET
    assert evidence[competencies[0].pk].level == 2
    assert evidence[competencies[1].pk].outcome == Evidence.Outcome.NOT_YET
    assert evidence[competencies[0].pk].source_type == "imh_competencies.observationcompetency"
    assert evidence[competencies[0].pk].url == reverse(
        "imh_competencies:observation_detail", args=[observation.pk]
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainee.email]
    assert "observation of your practice" in mail.outbox[0].subject


def test_unknown_email_is_a_clear_error(client, educator, framework, competencies):
    client.force_login(educator)
    response = client.get(NEW_URL, {"trainee_email": "nobody@example.org", "framework": "imh"})
    assert "No one has an account with this email address." in response.content.decode()


def test_observation_date_in_the_future_is_refused(
    client, educator, trainee, framework, competencies
):
    client.force_login(educator)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        NEW_URL,
        _post_data(framework, competencies, trainee_email=trainee.email, observed_on=tomorrow),
    )
    assert response.status_code == 200
    assert "The date of the observation must be today or in the past." in response.content.decode()
    assert not Observation.objects.exists()
    assert not Evidence.objects.exists()


def test_level_outside_the_framework_is_refused_on_the_page(
    client, educator, trainee, framework, competencies
):
    client.force_login(educator)
    data = _post_data(framework, competencies, trainee_email=trainee.email)
    data[f"level_{competencies[0].pk}"] = "7"
    response = client.post(NEW_URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a level from Level 1 to Level 3 for 1.1 Attunement." in html
    assert "Error:" in html
    assert not Observation.objects.exists()
    assert not ObservationCompetency.objects.exists()


def test_level_outside_the_framework_is_refused_by_the_service(
    educator, trainee, framework, competencies
):
    with pytest.raises(ValidationError) as error:
        services.observation_record(
            observer=educator,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate(),
            setting="Baby clinic",
            ratings=[(competencies[0].pk, 1, "met"), (competencies[1].pk, 4, "met")],
        )
    assert "Choose a level from Level 1 to Level 3 for 1.2 Reflective practice." in str(error.value)
    assert not Observation.objects.exists()
    assert not Evidence.objects.exists()


def test_competency_from_another_framework_is_refused(educator, trainee, framework):
    stranger = CompetencyFactory()
    with pytest.raises(ValidationError, match="Choose competencies from Infant mental health"):
        services.observation_record(
            observer=educator,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate(),
            setting="Baby clinic",
            ratings=[(stranger.pk, 1, "met")],
        )
    assert not Observation.objects.exists()


def test_no_competency_rated_is_refused(client, educator, trainee, framework, competencies):
    client.force_login(educator)
    data = _post_data(framework, competencies, trainee_email=trainee.email)
    for competency in competencies:
        data[f"outcome_{competency.pk}"] = ""
    response = client.post(NEW_URL, data)
    assert "Rate at least one competency as met or not yet." in response.content.decode()
    assert not Observation.objects.exists()


# Seeing, changing and withdrawing.


@pytest.fixture
def observation(educator, trainee, framework, competencies):
    return services.observation_record(
        observer=educator,
        trainee=trainee,
        framework=framework,
        observed_on=timezone.localdate(),
        setting="Baby clinic",
        ratings=[(competencies[0].pk, 1, "met"), (competencies[2].pk, 2, "met")],
        comments="Calm and responsive.",
    )


def test_trainee_sees_the_observation_and_others_do_not(client, trainee, colleague, observation):
    url = reverse("imh_competencies:observation_detail", args=[observation.pk])
    client.force_login(trainee)
    html = client.get(url).content.decode()
    assert "Baby clinic" in html
    assert "Calm and responsive." in html
    assert "Erin Educator" in html
    assert "Change the observation" not in html
    profile = client.get(reverse("imh_competencies:profile")).content.decode()
    detail_link = f'<a href="{url}">Baby clinic</a>'
    assert f"Observation of practice: {detail_link}" in profile
    client.force_login(colleague)
    assert client.get(url).status_code == 404


def test_only_the_observer_may_change_or_withdraw(client, trainee, supervisor, observation):
    for user in (trainee, supervisor):
        client.force_login(user)
        assert (
            client.get(
                reverse("imh_competencies:observation_edit", args=[observation.pk])
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("imh_competencies:observation_withdraw", args=[observation.pk])
            ).status_code
            == 404
        )
    with pytest.raises(PermissionDenied):
        services.observation_withdraw(observation=observation, actor=supervisor)
    assert Evidence.objects.filter(user=trainee).count() == 2


def test_editing_drops_evidence_of_a_rating_taken_out(
    client, educator, trainee, observation, competencies
):
    client.force_login(educator)
    url = reverse("imh_competencies:observation_edit", args=[observation.pk])
    assert client.get(url).status_code == 200
    data = {
        "observed_on": observation.observed_on.isoformat(),
        "setting": "Baby clinic",
        "comments": "Updated.",
        **_rating_data(competencies, levels=(3, 1, 1), outcomes=("not_yet", "", "")),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    evidence = Evidence.objects.get(user=trainee)
    assert evidence.competency == competencies[0]
    assert (evidence.level, evidence.outcome) == (3, Evidence.Outcome.NOT_YET)
    assert observation.ratings.count() == 1


def test_withdrawal_removes_evidence_and_hides_it_from_the_trainee(
    client, educator, trainee, observation
):
    assert Evidence.objects.filter(user=trainee, kind=Evidence.Kind.OBSERVATION).count() == 2
    client.force_login(educator)
    url = reverse("imh_competencies:observation_withdraw", args=[observation.pk])
    assert "Withdraw the observation" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Evidence.objects.filter(user=trainee).exists()
    observation.refresh_from_db()
    assert observation.is_withdrawn
    listing = client.get(reverse("imh_competencies:observations")).content.decode()
    assert "Withdrawn" in listing
    client.force_login(trainee)
    detail = reverse("imh_competencies:observation_detail", args=[observation.pk])
    assert client.get(detail).status_code == 404


def test_observations_i_recorded_lists_mine_only(client, educator, supervisor, observation):
    client.force_login(educator)
    assert "Baby clinic" in client.get(reverse("imh_competencies:observations")).content.decode()
    client.force_login(supervisor)
    assert (
        "Baby clinic" not in client.get(reverse("imh_competencies:observations")).content.decode()
    )
