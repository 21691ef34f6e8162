"""The competency profile and competency pages, their query counts, and the person's data rights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imh_accounts import privacy
from imh_competencies import services
from imh_competencies.models import Evidence, ExternalLearning, Observation, SelfAssessment
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

PROFILE_URL = reverse("imh_competencies:profile")


@pytest.fixture
def framework(db):
    framework = FrameworkFactory(
        name="Infant mental health", slug="imh", levels=["Informed", "Skilled", "Enhanced"]
    )
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    CompetencyFactory(area=area, code="1.1", short_name="Attunement")
    CompetencyFactory(area=area, code="1.2", short_name="Reflective practice")
    return framework


@pytest.fixture
def competencies(framework):
    return list(framework.competencies.order_by("code"))


@pytest.fixture
def trainee(db):
    return UserFactory()


@pytest.fixture
def educator(db):
    user = UserFactory(first_name="Erin", last_name="Educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def _evidence(user, competency, *, level, kind=Evidence.Kind.QUIZ, outcome="met", title="Quiz"):
    source = UserFactory()  # a saved row standing in for a quiz attempt
    services.evidence_record(
        user=user,
        source=source,
        kind=kind,
        competencies=[(competency, level)],
        outcome=outcome,
        occurred_on=timezone.localdate(),
        title=title,
        url="/somewhere/",
    )


def test_login_required(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_profile_shows_highest_level_evidenced_and_each_item(
    client, trainee, framework, competencies
):
    _evidence(trainee, competencies[0], level=1, title="Attachment quiz")
    _evidence(trainee, competencies[0], level=2, kind=Evidence.Kind.H5P, title="Cues activity")
    _evidence(trainee, competencies[0], level=3, outcome="not_yet", title="Hard quiz")
    # Self-assessment is listed but never raises the level evidenced.
    services.self_assessment_save(
        user=trainee, framework=framework, level=3, ratings={competencies[1].pk: "achieved"}
    )
    client.force_login(trainee)
    html = client.get(PROFILE_URL).content.decode()
    assert "Infant mental health" in html
    assert "A1 Relationships" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Skilled</strong>' in html
    assert "Interactive activity passed: " in html
    assert '<a href="/somewhere/">Cues activity</a>' in html
    assert (
        'Self-assessment: <a href="/competencies/self-assessment/imh/">Achieved at Enhanced</a>'
        in html
    )
    assert "Not yet evidenced" in html  # 1.2 has only a self-assessment
    # The menu links here.
    assert f'href="{PROFILE_URL}"' in html


def test_filter_by_framework(client, trainee, framework, competencies):
    other = FrameworkFactory(name="Early years practice", slug="early-years")
    CompetencyFactory(area=AreaFactory(framework=other), short_name="Play")
    client.force_login(trainee)
    html = client.get(PROFILE_URL, {"framework": "early-years"}).content.decode()
    assert "Play" in html
    assert "Attunement" not in html


def test_nobody_else_sees_the_evidence(client, trainee, competencies):
    _evidence(trainee, competencies[0], level=2, title="Private quiz result")
    client.force_login(UserFactory())
    assert "Private quiz result" not in client.get(PROFILE_URL).content.decode()
    detail = reverse("imh_competencies:competency", args=[competencies[0].pk])
    assert "Private quiz result" not in client.get(detail).content.decode()


def test_competency_page_lists_descriptors_and_evidence(client, trainee, competencies):
    _evidence(trainee, competencies[0], level=2, title="Cues quiz")
    _evidence(trainee, competencies[1], level=3, title="Other competency quiz")
    client.force_login(trainee)
    html = client.get(
        reverse("imh_competencies:competency", args=[competencies[0].pk])
    ).content.decode()
    assert "Descriptor at level 1." in html
    assert "Descriptor at level 3." in html
    assert "Informed" in html
    assert "Enhanced" in html
    assert "Cues quiz" in html
    assert "Other competency quiz" not in html


def _build(size: int):
    framework = FrameworkFactory(slug=f"size-{size}")
    user = UserFactory()
    for _ in range(size):
        area = AreaFactory(framework=framework)
        for _ in range(size):
            competency = CompetencyFactory(area=area)
            _evidence(user, competency, level=1)
            _evidence(user, competency, level=2, kind=Evidence.Kind.ATTENDANCE)
    return framework, user


def _profile_queries(client, size: int) -> int:
    framework, user = _build(size)
    client.force_login(user)
    client.get(PROFILE_URL, {"framework": framework.slug})  # warm caches (site, settings)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROFILE_URL, {"framework": framework.slug})
    assert response.status_code == 200
    assert response.content.decode().count('href="/competencies/competency/') == size * size
    return len(queries)


@pytest.mark.django_db
def test_profile_queries_do_not_grow_with_competencies_or_evidence(
    client, django_assert_num_queries
):
    small = _profile_queries(client, 2)
    large = _profile_queries(client, 6)
    assert small == large
    framework, user = _build(3)
    client.force_login(user)
    client.get(PROFILE_URL, {"framework": framework.slug})
    with django_assert_num_queries(small):
        client.get(PROFILE_URL, {"framework": framework.slug})


# Data rights.


@pytest.fixture
def records(trainee, educator, framework, competencies):
    observation = services.observation_record(
        observer=educator,
        trainee=trainee,
        framework=framework,
        observed_on=timezone.localdate(),
        setting="Home visit",
        ratings=[(competencies[0].pk, 2, "met")],
        comments="Lovely interaction.",
    )
    services.self_assessment_save(
        user=trainee, framework=framework, level=2, ratings={competencies[1].pk: "working_towards"}
    )
    item = services.external_learning_create(
        user=trainee,
        framework=framework,
        title="NBO training",
        provider="Brazelton Centre UK",
        completed_on=timezone.localdate(),
        hours=Decimal("7.5"),
        participatory=True,
        reflection="I now wait for the baby's cues.",
        claims=[(competencies[1].pk, 1)],
        evidence_file=SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 test"),
    )
    services.external_learning_verify(external_learning=item, actor=educator)
    # Something the trainee recorded about someone else stays for that person.
    other = UserFactory()
    return observation, item, other


def test_export_holds_everything_about_the_person(trainee, records):
    data = privacy.exporters()["competencies"](trainee)
    assert {item["kind"] for item in data["evidence"]} == {
        "Observation of practice",
        "Self-assessment",
        "External learning (verified)",
    }
    observation = data["observations_of_your_practice"][0]
    assert observation["setting"] == "Home visit"
    assert observation["observer"] == "Erin Educator"
    assert observation["competencies"][0]["level"] == "Skilled"
    assert data["self_assessments"][0]["rating"] == "Working towards"
    assert data["external_learning"][0]["evidence_file"] == "certificate.pdf"
    assert data["external_learning"][0]["status"] == "Verified"
    # One record of learning done elsewhere: its CPD side is exported with it, once.
    assert data["external_learning"][0]["hours"] == "7.5"
    assert data["external_learning"][0]["participatory"] is True
    assert data["external_learning"][0]["reflection"] == "I now wait for the baby's cues."
    assert "certificates_external_cpd" not in privacy.exporters()


def test_erase_removes_the_persons_records_and_files(
    trainee, educator, records, django_capture_on_commit_callbacks
):
    _, item, _ = records
    storage = item.evidence_file.storage
    name = item.evidence_file.name
    # What the educator recorded about the trainee goes; the educator's own evidence stays.
    educator_item = services.self_assessment_save(
        user=educator,
        framework=item.claims.first().competency.framework,
        level=1,
        ratings={item.claims.first().competency_id: "achieved"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erasers()["competencies"](trainee)
    assert not Evidence.objects.filter(user=trainee).exists()
    assert not Observation.objects.filter(trainee=trainee).exists()
    assert not SelfAssessment.objects.filter(user=trainee).exists()
    assert not ExternalLearning.objects.filter(user=trainee).exists()
    assert not storage.exists(name)
    assert SelfAssessment.objects.filter(pk=educator_item[0].pk).exists()
    assert Evidence.objects.filter(user=educator).exists()
