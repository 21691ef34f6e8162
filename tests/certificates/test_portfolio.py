"""The CPD portfolio: page, learning done elsewhere in it, old addresses, exports, data rights."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from imh_accounts import privacy
from imh_certificates import portfolio as services
from imh_certificates.models import Certificate
from imh_competencies import services as competency_services
from imh_competencies.models import Evidence, ExternalLearning
from tests.certificates.factories import CertificateFactory
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PORTFOLIO = reverse("imh_certificates:portfolio")
NEW = reverse("imh_competencies:external_learning_new")


@pytest.fixture
def trainee():
    return UserFactory(first_name="Tara", last_name="Trainee")


@pytest.fixture
def logged_in(client, trainee):
    client.force_login(trainee)
    return client


def _data(**overrides) -> dict:
    data = {
        "title": "Newborn Behavioural Observation study day",
        "provider": "Brazelton Centre UK",
        "completed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "hours": "6.5",
        "participatory": "on",
        "reflection": "I now pause and watch the baby's cues before I speak.",
    }
    data.update(overrides)
    return data


def _entry(user, **fields) -> ExternalLearning:
    fields.setdefault("title", "Attachment conference")
    fields.setdefault("provider", "AIMH UK")
    fields.setdefault("completed_on", timezone.localdate() - datetime.timedelta(days=10))
    fields.setdefault("hours", Decimal("5.0"))
    return competency_services.external_learning_create(user=user, **fields)


# The page.


def test_login_required(client):
    response = client.get(PORTFOLIO)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_lists_certificates_learning_done_elsewhere_and_totals(logged_in, trainee):
    valid = CertificateFactory(
        holder=trainee, title="Infant mental health foundations", cpd_hours=Decimal("3.0")
    )
    Certificate.objects.filter(pk=valid.pk).update(pdf_status=Certificate.PdfStatus.READY)
    expired = CertificateFactory(
        holder=trainee,
        title="Safeguarding babies",
        cpd_hours=Decimal("2.0"),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    revoked = CertificateFactory(
        holder=trainee,
        title="Revoked course",
        cpd_hours=Decimal("10.0"),
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error.",
    )
    CertificateFactory(title="Someone else's course")
    _entry(trainee, title="Attachment conference", hours=Decimal("5.0"))

    html = logged_in.get(PORTFOLIO).content.decode()

    assert "Infant mental health foundations" in html
    assert valid.code in html
    assert f"/certificates/{valid.code}/pdf/" in html
    assert expired.code in html
    assert "Expired" in html
    assert revoked.code in html
    assert "Revoked" in html
    assert "Issued in error." in html
    assert "Someone else" not in html
    assert "Attachment conference" in html
    # 3 + 2 from imh_certificates (the revoked one does not count), 5 from elsewhere.
    assert "<strong>10 hours</strong>" in html
    assert "The PDF is being made" in html  # the expired one has no PDF yet
    assert reverse("imh_certificates:portfolio_csv") in html
    assert reverse("imh_certificates:portfolio_pdf") in html


def test_navigation_links_to_the_portfolio(logged_in):
    html = logged_in.get(PORTFOLIO).content.decode()
    assert f'href="{PORTFOLIO}"' in html
    assert "CPD portfolio" in html


def test_lesson_reflections_show(logged_in, trainee):
    from imh_courses.services.learning import enrolment_create, reflection_save
    from tests.courses.factories import add_reflection_prompt, create_course, lessons_of

    course = create_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    add_reflection_prompt(lesson, block_id="r1", prompt="What did the baby tell you?")
    enrolment_create(user=trainee, course=course)
    reflection_save(user=trainee, lesson=lesson, block_id="r1", text="She turned <b>away</b>.")

    html = logged_in.get(PORTFOLIO).content.decode()
    assert "What did the baby tell you?" in html
    assert "She turned &lt;b&gt;away&lt;/b&gt;." in html
    assert lesson.title in html


def test_page_queries_do_not_grow_with_entries(logged_in, trainee, django_assert_max_num_queries):
    for number in range(5):
        CertificateFactory(holder=trainee, title=f"Course {number}")
        _entry(trainee, title=f"Day {number}")
    with django_assert_max_num_queries(20):
        assert logged_in.get(PORTFOLIO).status_code == 200


# Learning done elsewhere: logged once in imh_competencies, listed and counted here.


def test_portfolio_links_to_the_pages_of_each_record(logged_in, trainee):
    item = _entry(trainee, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    html = logged_in.get(PORTFOLIO).content.decode()
    assert f'href="{NEW}"' in html
    for name in ("detail", "edit", "delete", "file"):
        url = reverse(f"imh_competencies:external_learning_{name}", args=[item.pk])
        assert f'href="{url}"' in html


def test_old_addresses_redirect_permanently(logged_in, trainee):
    item = _entry(trainee)
    response = logged_in.get("/certificates/cpd/new/")
    assert response.status_code == 301
    assert response["Location"] == NEW
    for action in ("edit", "delete", "evidence"):
        response = logged_in.get(f"/certificates/cpd/{item.pk}/{action}/")
        assert response.status_code == 301
        assert response["Location"] == reverse("imh_competencies:external_learning")


def test_logged_once_it_counts_as_cpd_and_once_verified_as_evidence(client, trainee):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    competency = CompetencyFactory(area=area, code="1.1", short_name="Attunement")
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    client.force_login(trainee)
    response = client.post(
        NEW,
        {
            **_data(hours="6.5"),
            "framework": "imh",
            "competencies": [str(competency.pk)],
            "level": "2",
        },
    )
    assert response.status_code == 302
    item = ExternalLearning.objects.get(user=trainee)
    profile_url = reverse("imh_competencies:profile")

    # The portfolio counts its hours at once; the profile waits for an educator.
    html = client.get(PORTFOLIO).content.decode()
    assert "Newborn Behavioural Observation study day" in html
    assert "<strong>6.5 hours</strong>" in html
    assert "Competency evidence: waiting for review" in html
    assert not Evidence.objects.filter(user=trainee).exists()
    assert "Newborn Behavioural" not in client.get(profile_url).content.decode()

    competency_services.external_learning_verify(external_learning=item, actor=educator)

    profile = client.get(profile_url).content.decode()
    assert "External learning (verified)" in profile
    assert "Newborn Behavioural Observation study day" in profile
    html = client.get(PORTFOLIO).content.decode()
    assert "<strong>6.5 hours</strong>" in html  # the same record, counted once
    detail = reverse("imh_competencies:external_learning_detail", args=[item.pk])
    assert html.count(f'href="{detail}"') == 1
    assert ExternalLearning.objects.filter(user=trainee).count() == 1


def test_rejected_learning_still_counts_as_cpd(logged_in, trainee):
    framework = FrameworkFactory()
    competency = CompetencyFactory(area=AreaFactory(framework=framework))
    item = _entry(trainee, framework=framework, claims=[(competency.pk, 1)])
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    competency_services.external_learning_reject(
        external_learning=item, actor=educator, reason="Not readable."
    )
    html = logged_in.get(PORTFOLIO).content.decode()
    assert "<strong>5 hours</strong>" in html
    assert "Competency evidence: not accepted" in html


# Exports.


def _csv_rows(client) -> list[list[str]]:
    response = client.get(reverse("imh_certificates:portfolio_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-portfolio-')
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_for_revalidation(logged_in, trainee):
    online = CertificateFactory(
        holder=trainee,
        title="Infant mental health foundations",
        cpd_hours=Decimal("3.0"),
        completed_on=datetime.date(2026, 5, 1),
    )
    CertificateFactory(
        holder=trainee,
        title="Video interaction workshop",
        cpd_hours=Decimal("4.0"),
        completed_on=datetime.date(2026, 6, 1),
        sessions=[{"title": "Workshop", "date": "2026-06-01"}],
    )
    CertificateFactory(
        holder=trainee,
        title="Revoked",
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error.",
    )
    _entry(
        trainee,
        title="Study day",
        provider="Trust",
        completed_on=datetime.date(2026, 7, 1),
        hours=Decimal("6.5"),
        reflection="Changed how I start visits.",
    )
    rows = _csv_rows(logged_in)
    assert rows[0] == services.CSV_HEADER
    assert [row[2] for row in rows[1:]] == [
        "Infant mental health foundations",
        "Video interaction workshop",
        "Study day",
    ]
    first, second, third = rows[1:]
    assert first[:3] == ["2026-05-01", "Online learning course", "Infant mental health foundations"]
    assert first[5:9] == ["3.0", "No", "0", online.code]
    assert first[9].endswith(f"/verify/{online.code}/")
    assert second[5:8] == ["4.0", "Yes", "4.0"]
    assert third[1] == "External learning"
    assert third[6] == "No"
    assert third[10] == "Changed how I start visits."


def test_csv_neutralises_formulas(logged_in, trainee):
    _entry(
        trainee,
        title='=HYPERLINK("http://evil.example","click")',
        provider="+44 trust",
        reflection="-1+1",
    )
    _entry(trainee, title="@SUM(A1:A2)", provider="Ordinary provider")
    rows = _csv_rows(logged_in)
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'+44 trust" in cells
    assert "'-1+1" in cells
    assert "'@SUM(A1:A2)" in cells
    assert "Ordinary provider" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_spreadsheet_safe():
    assert services.spreadsheet_safe("=1+1") == "'=1+1"
    assert services.spreadsheet_safe("\t=1") == "'\t=1"
    assert services.spreadsheet_safe("plain") == "plain"
    assert services.spreadsheet_safe(None) == ""


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
def test_pdf_export_text(logged_in, trainee, tmp_path):
    certificate = CertificateFactory(holder=trainee, title="Infant mental health foundations")
    _entry(
        trainee,
        title='<img src="file:///etc/passwd"> Study day',
        reflection="I learnt to wait and watch.",
    )
    response = logged_in.get(reverse("imh_certificates:portfolio_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-portfolio-')
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "CPD portfolio" in text
    assert "Tara Trainee" in text
    assert "Infant mental health foundations" in text
    assert certificate.code in text
    assert '<img src="file:///etc/passwd"> Study day' in text
    assert "I learnt to wait and watch." in text
    assert "Total CPD hours" in text
    assert "root:" not in text


def test_pdf_fetches_nothing_from_outside(trainee, monkeypatch):
    from imh_certificates import rendering

    fetched: list[str] = []
    original = rendering.SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(rendering.SafeURLFetcher, "fetch", spy)
    _entry(trainee, title='<img src="file:///etc/passwd"><link rel="stylesheet" href="http://x/">')
    services.portfolio_pdf(user=trainee)
    assert fetched == []


# Data rights.


def test_privacy_export_and_erase(trainee, django_capture_on_commit_callbacks):
    """Learning done elsewhere is exported and erased once, by imh_competencies, which keeps it."""
    item = _entry(
        trainee,
        title="Study day",
        reflection="Reflective note",
        evidence_file=SimpleUploadedFile("e.pdf", PDF),
    )
    other = _entry(UserFactory(), title="Not theirs")
    assert "certificates_external_cpd" not in privacy.exporters()
    assert "certificates_external_cpd" not in privacy.erasers()
    data = privacy.exporters()["competencies"](trainee)["external_learning"]
    assert [entry["title"] for entry in data] == ["Study day"]
    assert data[0]["reflection"] == "Reflective note"
    assert data[0]["hours"] == "5.0"
    name, storage = item.evidence_file.name, item.evidence_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erasers()["competencies"](trainee)
    assert not ExternalLearning.objects.filter(user=trainee).exists()
    assert not storage.exists(name)
    assert ExternalLearning.objects.filter(pk=other.pk).exists()
