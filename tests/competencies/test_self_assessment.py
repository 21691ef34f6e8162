"""Self-assessment: saving ratings, their evidence, the gap analysis and recommended courses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from imh_competencies import selectors, services
from imh_competencies.models import Evidence, PageCompetency, SelfAssessment
from imh_competencies.selectors import GapStatus
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory


@pytest.fixture
def framework(db):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    for code, name in [
        ("1.1", "Attunement"),
        ("1.2", "Reflective practice"),
        ("1.3", "Safeguarding"),
        ("1.4", "Working with parents"),
    ]:
        CompetencyFactory(area=area, code=code, short_name=name)
    return framework


@pytest.fixture
def competencies(framework):
    return list(framework.competencies.order_by("code"))


@pytest.fixture
def trainee(db):
    return UserFactory()


def _form_data(competencies, ratings: dict[int, str], level: int = 2) -> dict:
    data = {"level": str(level)}
    for index, rating in ratings.items():
        data[f"rating_{competencies[index].pk}"] = rating
    return data


def test_saving_stores_one_row_per_competency_and_mirrors_evidence(
    client, trainee, framework, competencies
):
    client.force_login(trainee)
    url = reverse("imh_competencies:self_assessment", args=[framework.slug])
    assert "Attunement" in client.get(url).content.decode()
    response = client.post(
        url, _form_data(competencies, {0: "achieved", 1: "working_towards", 2: "not_yet"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("imh_competencies:gap_analysis", args=[framework.slug])
    rows = {row.competency_id: row for row in SelfAssessment.objects.filter(user=trainee)}
    assert len(rows) == 3
    assert {row.level for row in rows.values()} == {2}
    outcomes = dict(
        Evidence.objects.filter(user=trainee, kind=Evidence.Kind.SELF_ASSESSMENT).values_list(
            "competency_id", "outcome"
        )
    )
    assert outcomes == {
        competencies[0].pk: "met",
        competencies[1].pk: "working_towards",
        competencies[2].pk: "not_yet",
    }
    # Saving again updates in place: still one row and one evidence item per competency.
    client.post(url, _form_data(competencies, {0: "not_yet"}, level=3))
    assert SelfAssessment.objects.filter(user=trainee).count() == 3
    row = SelfAssessment.objects.get(user=trainee, competency=competencies[0])
    assert (row.level, row.rating) == (3, "not_yet")
    assert Evidence.objects.filter(user=trainee, competency=competencies[0]).count() == 1
    # The form shows the saved ratings again.
    html = client.get(url).content.decode()
    assert 'value="not_yet" checked' in html


def test_level_outside_the_framework_is_refused(client, trainee, framework, competencies):
    client.force_login(trainee)
    url = reverse("imh_competencies:self_assessment", args=[framework.slug])
    response = client.post(url, _form_data(competencies, {0: "achieved"}, level=9))
    assert response.status_code == 200
    assert "Choose a level from Level 1 to Level 3." in response.content.decode()
    assert not SelfAssessment.objects.exists()
    with pytest.raises(ValidationError):
        services.self_assessment_save(
            user=trainee, framework=framework, level=0, ratings={competencies[0].pk: "achieved"}
        )
    assert not SelfAssessment.objects.exists()
    assert not Evidence.objects.exists()


def test_nothing_rated_is_refused(client, trainee, framework, competencies):
    client.force_login(trainee)
    url = reverse("imh_competencies:self_assessment", args=[framework.slug])
    response = client.post(url, {"level": "1"})
    assert "Rate at least one competency." in response.content.decode()
    assert not SelfAssessment.objects.exists()


def _independent_evidence(user, competency, level):
    source = UserFactory()  # any saved row serves as a stand-in source
    services.evidence_record(
        user=user,
        source=source,
        kind=Evidence.Kind.QUIZ,
        competencies=[(competency, level)],
        occurred_on=timezone.localdate(),
        title="Quiz passed",
    )


def test_gap_analysis_compares_self_rating_with_independent_evidence(
    trainee, framework, competencies
):
    services.self_assessment_save(
        user=trainee,
        framework=framework,
        level=2,
        ratings={
            competencies[0].pk: "achieved",  # with a quiz at level 2: evidenced
            competencies[1].pk: "achieved",  # nothing else: needs evidence
            competencies[2].pk: "working_towards",  # to develop
        },
    )
    _independent_evidence(trainee, competencies[0], 2)
    _independent_evidence(trainee, competencies[1], 1)  # below the target level
    analysis = selectors.gap_analysis(user=trainee, framework=framework)
    status = {row.competency.code: row.status for row in analysis.rows}
    assert status == {
        "1.1": GapStatus.EVIDENCED,
        "1.2": GapStatus.NEEDS_EVIDENCE,
        "1.3": GapStatus.TO_DEVELOP,
        "1.4": GapStatus.NOT_RATED,
    }
    assert [row.competency.code for row in analysis.gaps] == ["1.2", "1.3"]


def test_recommendations_name_live_courses_that_cover_the_gaps(
    client, trainee, framework, competencies, django_assert_max_num_queries
):
    services.self_assessment_save(
        user=trainee,
        framework=framework,
        level=2,
        ratings={
            competencies[0].pk: "not_yet",
            competencies[1].pk: "achieved",
            competencies[2].pk: "not_yet",
            competencies[3].pk: "achieved",
        },
    )
    _independent_evidence(trainee, competencies[3], 3)  # not a gap
    relationships = create_course(title="Relationships in the first year", modules=1)
    lesson = lessons_of(relationships)[0]
    # A lesson mapping recommends its course; the course's own mapping too.
    PageCompetency.objects.create(page=lesson, competency=competencies[0], level=2)
    PageCompetency.objects.create(page=relationships, competency=competencies[1], level=3)
    # Below the target level: not recommended for that gap.
    basics = create_course(title="Basics", modules=1)
    PageCompetency.objects.create(page=basics, competency=competencies[2], level=1)
    # A draft course is never recommended.
    draft = create_course(title="Unpublished course", modules=1, publish=False, live=False)
    PageCompetency.objects.create(page=draft, competency=competencies[2], level=2)
    # A course covering only a competency that is not a gap.
    other = create_course(title="Working with parents", modules=1)
    PageCompetency.objects.create(page=other, competency=competencies[3], level=3)

    analysis = selectors.gap_analysis(user=trainee, framework=framework)
    assert [r.page.title for r in analysis.recommendations] == ["Relationships in the first year"]
    assert [c.code for c in analysis.recommendations[0].competencies] == ["1.1", "1.2"]

    with django_assert_max_num_queries(6):
        selectors.recommended_pages(targets={competency.pk: 1 for competency in competencies})

    client.force_login(trainee)
    html = client.get(
        reverse("imh_competencies:gap_analysis", args=[framework.slug])
    ).content.decode()
    assert "Relationships in the first year" in html
    assert "Covers: 1.1 Attunement; 1.2 Reflective practice" in html
    assert relationships.url in html
    assert "Gap: needs evidence" in html
    assert "Gap: to develop" in html
    assert "Unpublished course" not in html
    assert "A competency is a gap when" in html


def test_courses_behind_a_view_restriction_are_not_recommended(trainee, competencies):
    course = create_course(title="Staff only", modules=1)
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    PageCompetency.objects.create(page=course, competency=competencies[0], level=2)
    assert selectors.recommended_pages(targets={competencies[0].pk: 2}) == []


@override_settings(IMH_COMPETENCIES_RECOMMENDED_PAGE_TYPES=["imh_courses.lessonpage"])
def test_recommended_page_types_come_from_settings(trainee, framework, competencies):
    course = create_course(title="Relationships", modules=1)
    lesson = lessons_of(course)[0]
    PageCompetency.objects.create(page=lesson, competency=competencies[0], level=2)
    recommendations = selectors.recommended_pages(targets={competencies[0].pk: 2})
    assert [r.page.pk for r in recommendations] == [lesson.pk]


def test_gap_page_without_a_self_assessment_asks_for_one(client, trainee, framework):
    client.force_login(trainee)
    html = client.get(
        reverse("imh_competencies:gap_analysis", args=[framework.slug])
    ).content.decode()
    assert "You have not assessed yourself against this framework yet." in html
