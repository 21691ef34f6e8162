"""The external programme directory: mapping and review, the trainees' directory, claiming a
programme in one step, the admin, and the programme link in reviews and data exports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from imh_competencies import services
from imh_competencies.models import ExternalLearning, ExternalProgramme
from imh_competencies.selectors import competency_data_export_for_user
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)
DIRECTORY_URL = reverse("imh_competencies:programmes")
Review = ExternalProgramme.ReviewStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, 0), tick=False):
        yield


@pytest.fixture
def framework():
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    relationships = AreaFactory(framework=framework, code="R", name="Relationships")
    families = AreaFactory(framework=framework, code="F", name="Working with families")
    CompetencyFactory(area=relationships, code="R1", short_name="Reading a baby's cues")
    CompetencyFactory(area=relationships, code="R2", short_name="Attunement")
    CompetencyFactory(area=families, code="F1", short_name="Involving fathers")
    return framework


@pytest.fixture
def codes(framework):
    return {c.code: c for c in framework.competencies.all()}


@pytest.fixture
def educator():
    user = UserFactory(first_name="Erin", last_name="Educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


@pytest.fixture
def trainee():
    return UserFactory(first_name="Tara", last_name="Trainee")


def _programme(framework, codes, *, actor=None, title="Newborn Behavioural Observations", **kw):
    kw.setdefault("provider", "Brazelton Centre UK")
    kw.setdefault("level", 2)
    kw.setdefault("format", ExternalProgramme.Format.FACE_TO_FACE)
    kw.setdefault("typical_hours", "14")
    kw.setdefault("participatory", True)
    kw.setdefault("mappings", [(codes["R1"], 2), (codes["R2"], 1)])
    return services.programme_create(actor=actor, title=title, framework=framework, **kw)


@pytest.fixture
def approved(framework, codes, educator):
    programme = _programme(framework, codes, actor=educator)
    return services.programme_review(programme=programme, actor=educator, approve=True)


class TestProgrammeServices:
    def test_a_new_programme_waits_for_review(self, framework, codes, educator):
        programme = _programme(framework, codes, actor=educator)
        assert programme.review_status == Review.UNDER_REVIEW
        assert programme.created_by == educator
        assert programme.typical_hours == Decimal("14.0")
        assert [(m.competency.code, m.level) for m in programme.mappings.all()] == [
            ("R1", 2),
            ("R2", 1),
        ]

    def test_a_competency_from_another_framework_is_refused(self, framework, codes):
        stranger = CompetencyFactory(code="X1")
        with pytest.raises(ValidationError) as error:
            _programme(framework, codes, mappings=[(stranger, 1)])
        assert "Choose competencies from Infant mental health only." in error.value.messages
        assert not ExternalProgramme.objects.exists()

    def test_levels_must_fit_the_framework(self, framework, codes):
        with pytest.raises(ValidationError) as error:
            _programme(framework, codes, level=4)
        assert "level" in error.value.message_dict
        with pytest.raises(ValidationError):
            _programme(framework, codes, mappings=[(codes["R1"], 7)])

    def test_hours_must_be_positive(self, framework, codes):
        with pytest.raises(ValidationError) as error:
            _programme(framework, codes, typical_hours="0")
        assert "typical_hours" in error.value.message_dict

    def test_title_and_provider_are_unique_whatever_the_case(self, framework, codes):
        _programme(framework, codes)
        with pytest.raises(ValidationError):
            _programme(framework, codes, title="NEWBORN behavioural observations")

    def test_the_database_refuses_what_the_service_would(self, framework, codes, approved):
        with transaction.atomic(), pytest.raises(IntegrityError):
            ExternalProgramme.objects.filter(pk=approved.pk).update(typical_hours=0)
        with transaction.atomic(), pytest.raises(IntegrityError):
            ExternalProgramme.objects.filter(pk=approved.pk).update(review_status="maybe")
        with transaction.atomic(), pytest.raises(IntegrityError):
            ExternalProgramme.objects.filter(pk=approved.pk).update(
                review_status=Review.NOT_APPROVED, review_notes=""
            )

    def test_review_needs_the_review_permission(self, framework, codes, trainee):
        programme = _programme(framework, codes)
        with pytest.raises(PermissionDenied):
            services.programme_review(programme=programme, actor=trainee, approve=True)

    def test_approval_records_who_and_when(self, approved, educator):
        assert approved.review_status == Review.APPROVED
        assert approved.reviewed_by == educator
        assert approved.reviewed_at is not None

    def test_an_unmapped_programme_cannot_be_approved(self, framework, codes, educator):
        programme = _programme(framework, codes, mappings=[])
        with pytest.raises(ValidationError) as error:
            services.programme_review(programme=programme, actor=educator, approve=True)
        assert error.value.code == "no_mapping"

    def test_not_approving_needs_notes(self, framework, codes, educator):
        programme = _programme(framework, codes)
        with pytest.raises(ValidationError) as error:
            services.programme_review(programme=programme, actor=educator, approve=False)
        assert "notes" in error.value.message_dict
        programme = services.programme_review(
            programme=programme, actor=educator, approve=False, notes="Mostly sales content."
        )
        assert programme.review_status == Review.NOT_APPROVED
        assert programme.review_notes == "Mostly sales content."


class TestClaim:
    def test_claiming_prefills_the_record_from_the_programme(self, approved, trainee):
        item = services.programme_claim(
            user=trainee, programme=approved, completed_on=datetime.date(2026, 3, 1)
        )
        assert (item.title, item.provider, item.hours, item.participatory) == (
            "Newborn Behavioural Observations",
            "Brazelton Centre UK",
            Decimal("14.0"),
            True,
        )
        assert item.programme == approved
        assert item.status == ExternalLearning.Status.PENDING
        assert sorted((c.competency.code, c.level) for c in item.claims.all()) == [
            ("R1", 2),
            ("R2", 1),
        ]

    def test_hours_can_be_overridden(self, approved, trainee):
        item = services.programme_claim(
            user=trainee, programme=approved, completed_on=TODAY, hours=Decimal("7.5")
        )
        assert item.hours == Decimal("7.5")

    def test_the_same_date_twice_is_refused_and_another_date_is_a_repeat(self, approved, trainee):
        services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        with pytest.raises(ValidationError) as error:
            services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        assert error.value.message_dict["completed_on"] == [
            "You have already logged this programme as completed on that date."
        ]
        services.programme_claim(
            user=trainee, programme=approved, completed_on=TODAY - datetime.timedelta(days=365)
        )
        assert ExternalLearning.objects.filter(user=trainee, programme=approved).count() == 2

    def test_the_database_refuses_a_duplicate_claim(self, approved, trainee):
        item = services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        with transaction.atomic(), pytest.raises(IntegrityError):
            ExternalLearning.objects.create(
                user=trainee,
                title=item.title,
                provider=item.provider,
                completed_on=TODAY,
                hours=1,
                programme=approved,
            )

    @pytest.mark.parametrize("status", [Review.UNDER_REVIEW, Review.NOT_APPROVED])
    def test_only_approved_programmes_can_be_claimed(self, framework, codes, trainee, status):
        programme = _programme(framework, codes)
        ExternalProgramme.objects.filter(pk=programme.pk).update(
            review_status=status, review_notes="Not yet."
        )
        with pytest.raises(ValidationError) as error:
            services.programme_claim(user=trainee, programme=programme, completed_on=TODAY)
        assert error.value.code == "not_approved"
        assert not ExternalLearning.objects.exists()

    def test_a_future_date_is_refused(self, approved, trainee):
        with pytest.raises(ValidationError):
            services.programme_claim(
                user=trainee, programme=approved, completed_on=TODAY + datetime.timedelta(days=1)
            )

    def test_the_record_keeps_its_link_when_the_programme_is_deleted(self, approved, trainee):
        item = services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        approved.delete()
        item.refresh_from_db()
        assert item.programme is None
        assert item.title == "Newborn Behavioural Observations"


class TestDirectory:
    @pytest.fixture
    def listed(self, framework, codes, educator, approved):
        conference = _programme(
            framework,
            codes,
            title="Infant mental health conference day",
            provider="AIMH UK",
            level=1,
            format=ExternalProgramme.Format.CONFERENCE,
            typical_hours="6",
            mappings=[(codes["F1"], 1)],
        )
        services.programme_review(programme=conference, actor=educator, approve=True)
        _programme(framework, codes, title="Hidden under review", provider="Somebody")
        return conference

    def test_needs_sign_in(self, client):
        response = client.get(DIRECTORY_URL)
        assert response.status_code == 302

    def test_lists_approved_programmes_only(self, client, trainee, listed):
        client.force_login(trainee)
        response = client.get(DIRECTORY_URL)
        content = response.content.decode()
        assert "Newborn Behavioural Observations" in content
        assert "Infant mental health conference day" in content
        assert "Hidden under review" not in content
        assert "2 programmes" in content

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"q": "brazelton"}, ["Newborn"]),
            ({"q": "fathers"}, ["conference day"]),
            ({"level": "1"}, ["conference day"]),
            ({"format": "face_to_face"}, ["Newborn"]),
            ({"q": "nothing-like-this"}, []),
        ],
    )
    def test_search_and_filters(self, client, trainee, listed, query, expected):
        client.force_login(trainee)
        page = client.get(DIRECTORY_URL, query).context["page"]
        titles = [programme.title for programme in page.object_list]
        assert len(titles) == len(expected)
        assert all(any(word in title for title in titles) for word in expected)

    def test_filter_by_competency_area(self, client, trainee, listed, framework):
        client.force_login(trainee)
        area = framework.areas.get(code="R")
        page = client.get(DIRECTORY_URL, {"area": area.pk}).context["page"]
        assert [p.title for p in page.object_list] == ["Newborn Behavioural Observations"]

    def test_an_unknown_filter_value_is_ignored(self, client, trainee, listed):
        client.force_login(trainee)
        response = client.get(DIRECTORY_URL, {"level": "9", "area": "abc"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2

    def test_detail_shows_the_mapping_and_the_claim_form(self, client, trainee, approved):
        client.force_login(trainee)
        response = client.get(reverse("imh_competencies:programme_detail", args=[approved.pk]))
        content = response.content.decode()
        assert "R1 Reading a baby&#x27;s cues" in content
        assert "Level 2" in content
        assert 'name="completed_on"' in content

    def test_directory_is_linked_from_learning_done_elsewhere(self, client, trainee):
        client.force_login(trainee)
        response = client.get(reverse("imh_competencies:external_learning"))
        assert DIRECTORY_URL in response.content.decode()


class TestClaimView:
    def _url(self, programme):
        return reverse("imh_competencies:programme_detail", args=[programme.pk])

    def test_one_step_claim_redirects_to_the_record(self, client, trainee, approved):
        client.force_login(trainee)
        response = client.post(self._url(approved), {"completed_on": "2026-03-02", "hours": ""})
        item = ExternalLearning.objects.get(user=trainee)
        assert response.status_code == 302
        assert response.url == reverse("imh_competencies:external_learning_detail", args=[item.pk])
        page = client.get(response.url).content.decode()
        assert "add your certificate" in page
        assert "From the programme directory" in page

    def test_a_double_submit_creates_one_record_and_says_so(self, client, trainee, approved):
        client.force_login(trainee)
        client.post(self._url(approved), {"completed_on": "2026-03-02"})
        response = client.post(self._url(approved), {"completed_on": "2026-03-02"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "You have already logged this programme as completed on that date." in content
        item = ExternalLearning.objects.get(user=trainee)
        assert reverse("imh_competencies:external_learning_detail", args=[item.pk]) in content

    def _edit(self, client, item, codes, *, competencies, level):
        return client.post(
            reverse("imh_competencies:external_learning_edit", args=[item.pk]),
            {
                "framework": "imh",
                "title": item.title,
                "provider": item.provider,
                "completed_on": item.completed_on.isoformat(),
                "hours": str(item.hours),
                "participatory": "on",
                "competencies": [codes[code].pk for code in competencies],
                "level": level,
            },
        )

    def test_editing_a_claim_keeps_each_competencys_own_level(
        self, client, trainee, approved, codes
    ):
        item = services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        client.force_login(trainee)
        url = reverse("imh_competencies:external_learning_edit", args=[item.pk])
        assert "claimed at different levels" in client.get(url).content.decode()

        # Saved as shown (the form shows the highest level, 2), with one more competency.
        response = self._edit(client, item, codes, competencies=["R1", "R2", "F1"], level=2)
        assert response.status_code == 302
        levels = {claim.competency.code: claim.level for claim in item.claims.all()}
        assert levels == {"R1": 2, "R2": 1, "F1": 2}

        # Choosing another level claims every competency at it.
        self._edit(client, item, codes, competencies=["R1", "R2"], level=3)
        levels = {claim.competency.code: claim.level for claim in item.claims.all()}
        assert levels == {"R1": 3, "R2": 3}

    def test_errors_are_shown_with_the_form(self, client, trainee, approved):
        client.force_login(trainee)
        response = client.post(self._url(approved), {"completed_on": "", "hours": "-1"})
        content = response.content.decode()
        assert "Enter the date you completed the programme." in content
        assert "nhsuk-error-summary" in content
        assert not ExternalLearning.objects.exists()

    def test_an_unapproved_programme_says_it_cannot_be_claimed(
        self, client, trainee, framework, codes
    ):
        programme = _programme(framework, codes)
        client.force_login(trainee)
        page = client.get(self._url(programme)).content.decode()
        assert "cannot be claimed yet" in page
        assert 'name="completed_on"' not in page
        response = client.post(self._url(programme), {"completed_on": "2026-03-02"})
        assert "is not in the programme directory at the moment" in response.content.decode()
        assert not ExternalLearning.objects.exists()


class TestAdmin:
    def _data(self, framework, codes, **overrides):
        data = {
            "title": "Solihull Approach foundation",
            "provider": "Solihull Approach",
            "description": "Two days on containment and reciprocity.",
            "url": "",
            "framework": str(framework.pk),
            "level": "1",
            "format": "face_to_face",
            "typical_hours": "12",
            "participatory": "on",
            "mappings": inline_formset(
                [{"competency": str(codes["R2"].pk), "level": "1", "ORDER": "1"}]
            ),
        }
        data.update(overrides)
        return nested_form_data(data)

    def test_educators_have_the_programme_rights(self):
        codenames = set(
            Group.objects.get(name="Educators").permissions.values_list("codename", flat=True)
        )
        assert {
            "add_externalprogramme",
            "change_externalprogramme",
            "view_externalprogramme",
            "review_externalprogramme",
        } <= codenames

    def test_trainees_cannot_open_the_admin_list(self, client, trainee):
        client.force_login(trainee)
        response = client.get(reverse("external_programmes:index"))
        assert response.status_code in (302, 403)

    def test_create_with_mapping(self, client, educator, framework, codes):
        client.force_login(educator)
        response = client.post(reverse("external_programmes:add"), self._data(framework, codes))
        assert response.status_code == 302, response.context["form"].errors
        programme = ExternalProgramme.objects.get()
        assert programme.created_by == educator
        assert programme.review_status == Review.UNDER_REVIEW
        assert [(m.competency.code, m.level) for m in programme.mappings.all()] == [("R2", 1)]

    def test_a_competency_from_another_framework_is_an_error(
        self, client, educator, framework, codes
    ):
        stranger = CompetencyFactory(code="X9")
        client.force_login(educator)
        data = self._data(
            framework,
            codes,
            mappings=inline_formset([{"competency": str(stranger.pk), "level": "1"}]),
        )
        response = client.post(reverse("external_programmes:add"), nested_form_data(data))
        assert response.status_code == 200
        assert "the programme&#x27;s framework" in response.content.decode()
        assert not ExternalProgramme.objects.exists()

    def test_list_filters_by_status(self, client, educator, framework, codes, approved):
        _programme(framework, codes, title="Still under review", provider="Elsewhere")
        client.force_login(educator)
        response = client.get(reverse("external_programmes:index"), {"review_status": "approved"})
        content = response.content.decode()
        assert "Newborn Behavioural Observations" in content
        assert "Still under review" not in content

    def test_review_approve_and_not_approve(self, client, educator, framework, codes):
        programme = _programme(framework, codes)
        client.force_login(educator)
        url = reverse("external_programmes:review", args=[programme.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"decision": "not_approve", "notes": ""})
        assert response.status_code == 200
        assert "Enter why the programme is not approved." in response.content.decode()
        client.post(url, {"decision": "approve", "notes": "Mapping checked."})
        programme.refresh_from_db()
        assert programme.review_status == Review.APPROVED
        assert programme.review_notes == "Mapping checked."

    def test_review_needs_the_permission(self, client, framework, codes):
        programme = _programme(framework, codes)
        staff = UserFactory(is_staff=True, is_superuser=False)
        from django.contrib.auth.models import Permission

        staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(staff)
        response = client.get(reverse("external_programmes:review", args=[programme.pk]))
        assert response.status_code in (302, 403)

    def test_changing_the_mapping_sends_an_approved_programme_back_to_review(
        self, client, educator, framework, codes, approved
    ):
        client.force_login(educator)
        mappings = list(approved.mappings.order_by("sort_order"))
        data = self._data(
            framework,
            codes,
            title=approved.title,
            provider=approved.provider,
            level="2",
            typical_hours="14",
            mappings=inline_formset(
                [
                    {"id": str(m.pk), "competency": str(m.competency_id), "level": "3"}
                    for m in mappings
                ],
                initial=len(mappings),
            ),
        )
        response = client.post(reverse("external_programmes:edit", args=[approved.pk]), data)
        assert response.status_code == 302
        approved.refresh_from_db()
        assert approved.review_status == Review.UNDER_REVIEW
        assert approved.reviewed_by is None

    def test_rewording_keeps_approval(self, client, educator, framework, codes, approved):
        client.force_login(educator)
        mappings = list(approved.mappings.order_by("sort_order"))
        data = self._data(
            framework,
            codes,
            title=approved.title,
            provider=approved.provider,
            description="Better words.",
            level="2",
            typical_hours="14.0",
            mappings=inline_formset(
                [
                    {
                        "id": str(m.pk),
                        "competency": str(m.competency_id),
                        "level": str(m.level),
                        "ORDER": str(i + 1),
                    }
                    for i, m in enumerate(mappings)
                ],
                initial=len(mappings),
            ),
        )
        response = client.post(reverse("external_programmes:edit", args=[approved.pk]), data)
        assert response.status_code == 302
        approved.refresh_from_db()
        assert approved.description == "Better words."
        assert approved.review_status == Review.APPROVED

    def test_reviewer_sees_where_a_claim_came_from(self, client, educator, trainee, approved):
        item = services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
        client.force_login(educator)
        response = client.get(reverse("external_learning_review:review", args=[item.pk]))
        content = response.content.decode()
        assert "From the programme directory" in content
        assert "Newborn Behavioural Observations (Brazelton Centre UK)" in content
        services.external_learning_verify(external_learning=item, actor=educator)
        assert trainee.competency_evidence.count() == 2


def test_the_data_export_names_the_programme(approved, trainee):
    services.programme_claim(user=trainee, programme=approved, completed_on=TODAY)
    rows = competency_data_export_for_user(trainee)["external_learning"]
    assert rows[0]["from_programme_directory"] == (
        "Newborn Behavioural Observations (Brazelton Centre UK)"
    )
