"""The trainee's competency pages in Welsh: the profile, self-assessment and observations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from imh_competencies import services
from imh_competencies.models import Evidence
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}


@pytest.fixture
def framework(db):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    CompetencyFactory(area=area, code="1.1", short_name="Attunement")
    return framework


@pytest.fixture
def trainee(db):
    return UserFactory()


@pytest.fixture
def educator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def test_profile_is_in_welsh_when_the_browser_asks_for_it(client, trainee, framework):
    competency = framework.competencies.get()
    services.evidence_record(
        user=trainee,
        source=UserFactory(),  # a saved row standing in for a quiz attempt
        kind=Evidence.Kind.QUIZ,
        competencies=[(competency, 1)],
        occurred_on=timezone.localdate(),
        title="Attunement quiz",
    )
    client.force_login(trainee)

    page = client.get(reverse("imh_competencies:profile"), **WELSH).content.decode()

    assert "<h1>Fy nghymwyseddau</h1>" in page
    assert "Asesu eich hun a gweld eich bylchau" in page
    assert "Lefel a ddangoswyd" in page
    # Choice labels from the models are translated too.
    assert "Cwis wedi&#x27;i basio: Attunement quiz" in page
    assert "My competencies" not in page  # nor in the site's navigation


def test_profile_stays_in_english_by_default(client, trainee, framework):
    client.force_login(trainee)

    page = client.get(reverse("imh_competencies:profile")).content.decode()

    assert "<h1>My competencies</h1>" in page
    assert "Fy nghymwyseddau" not in page


def test_self_assessment_and_its_errors_are_in_welsh(client, trainee, framework):
    client.force_login(trainee)
    url = reverse("imh_competencies:self_assessment", args=[framework.slug])

    form = client.get(url, **WELSH).content.decode()
    assert "Cadw a gweld eich bylchau" in form
    assert "Y lefel rydych chi&#x27;n anelu ati" in form  # a form label from Python

    refused = client.post(url, {"level": "1"}, **WELSH).content.decode()
    assert "Rhowch sgôr i o leiaf un cymhwysedd." in refused  # the form's own error


def test_gap_analysis_is_in_welsh(client, trainee, framework):
    client.force_login(trainee)

    page = client.get(
        reverse("imh_competencies:gap_analysis", args=[framework.slug]), **WELSH
    ).content.decode()

    assert "Eich bylchau a beth i'w wneud nesaf" in page


def test_observation_pages_are_in_welsh(client, educator, trainee, framework):
    competency = framework.competencies.get()
    with translation.override("cy"):
        observation = services.observation_record(
            observer=educator,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate(),
            setting="Home visit",
            ratings=[(competency.pk, 1, "met")],
        )
    client.force_login(educator)

    listing = client.get(reverse("imh_competencies:observations"), **WELSH).content.decode()
    assert "Arsylwadau a gofnodwyd gennych" in listing

    detail = client.get(
        reverse("imh_competencies:observation_detail", args=[observation.pk]), **WELSH
    ).content.decode()
    assert "Arsylwad o ymarfer" in detail
    assert "Wedi&#x27;i gyflawni" in detail  # the rating's outcome label


def test_the_observation_email_is_in_the_language_it_was_sent_in(
    educator, trainee, framework, mailoutbox, django_capture_on_commit_callbacks
):
    competency = framework.competencies.get()
    with translation.override("cy"), django_capture_on_commit_callbacks(execute=True):
        services.observation_record(
            observer=educator,
            trainee=trainee,
            framework=framework,
            observed_on=timezone.localdate(),
            setting="Home visit",
            ratings=[(competency.pk, 1, "met")],
        )

    assert mailoutbox[-1].subject == "Mae arsylwad o'ch ymarfer wedi'i gofnodi"
    assert "Mae bellach yn cyfrif fel tystiolaeth" in mailoutbox[-1].body
