"""The admin side: assessors' queue and review page, schemes, recognitions, roles, data rights."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from imh_core.hooks import IMH_USER_DATA_ERASERS, IMH_USER_DATA_EXPORTERS, hook_results
from imh_recognition import services
from imh_recognition.models import Application, Message, Recognition, Scheme
from tests.factories import UserFactory
from tests.recognition.factories import make_assessor, make_framework_scheme
from tests.recognition.test_review import submitted_application

pytestmark = pytest.mark.django_db


def test_assessors_group_is_created_with_its_permissions():
    group = Group.objects.get(name="Recognition assessors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"review_application", "view_application", "access_admin"} <= codenames
    educators = Group.objects.get(name="Educators")
    assert educators.permissions.filter(codename="change_scheme").exists()


def test_queue_is_for_assessors_only_and_filters(client):
    application = submitted_application()
    scheme, _ = make_framework_scheme()
    services.application_start(applicant=UserFactory(), scheme=scheme)  # a draft: never listed
    url = reverse("recognition_review:index")

    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code in (302, 403)

    client.force_login(make_assessor())
    page = client.get(url).content.decode()
    assert "Priya Shah" in page
    assert page.count('href="/admin/recognition/applications/') == 1
    filtered = client.get(url, {"region": "london"}).content.decode()
    assert "Priya Shah" not in filtered
    assert "Priya Shah" in client.get(url, {"scheme": application.scheme_id}).content.decode()


def test_review_page_approves(client, django_capture_on_commit_callbacks):
    application = submitted_application()
    assessor = make_assessor()
    client.force_login(assessor)
    url = reverse("recognition_review:review", args=[application.pk])
    page = client.get(url).content.decode()
    assert "I support families with babies every day." in page
    assert "Observed home visit" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "approve-reason": "Well evidenced."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert Recognition.objects.get(application=application).public
    assert mail.outbox[-1].to == [application.applicant.email]


def test_review_page_needs_a_reason_to_decline_and_keeps_notes_internal(client):
    application = submitted_application()
    client.force_login(make_assessor())
    url = reverse("recognition_review:review", args=[application.pk])
    response = client.post(url, {"action": "decline", "decline-reason": ""})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    client.post(url, {"action": "note", "note-text": "Phone the trust."})
    assert Message.objects.get(kind="note").text == "Phone the trust."
    client.post(url, {"action": "request_more", "request_more-text": "Add a statement."})
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO


def test_assessor_cannot_act_on_their_own_application(client):
    assessor = make_assessor()
    application = submitted_application(applicant=assessor)
    client.force_login(assessor)
    url = reverse("recognition_review:review", args=[application.pk])
    assert "another assessor must review it" in client.get(url).content.decode()
    client.post(url, {"action": "approve", "approve-reason": ""})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_educators_edit_schemes_and_assessors_only_see_them(client):
    scheme, _ = make_framework_scheme(title="Level one")
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    client.force_login(educator)
    edit = reverse("recognition_schemes:edit", args=[scheme.pk])
    assert client.get(edit).status_code == 200

    client.force_login(make_assessor())
    assert client.get(reverse("recognition_schemes:index")).status_code == 200
    assert client.get(edit).status_code in (302, 403)
    assert Scheme.objects.get().title == "Level one"


def test_recognitions_are_listed_read_only(client):
    application = submitted_application()
    recognition = services.application_approve(application=application, assessor=make_assessor())
    client.force_login(make_assessor())
    page = client.get(reverse("recognitions_admin:index")).content.decode()
    assert recognition.code in page
    inspect = reverse("recognitions_admin:inspect", args=[recognition.pk])
    assert client.get(inspect).status_code == 200
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("recognitions_admin:add")).status_code in (302, 403)


def test_export_and_erase():
    application = submitted_application()
    assessor = make_assessor()
    services.application_note(application=application, assessor=assessor, text="Internal.")
    services.application_approve(application=application, assessor=assessor, reason="Good.")
    exporters = dict(hook_results(IMH_USER_DATA_EXPORTERS))
    data = exporters["recognition"](application.applicant)
    assert data["applications"][0]["status"] == "approved"
    assert data["recognitions"][0]["code"]
    assert "Internal." not in str(data)

    erasers = dict(hook_results(IMH_USER_DATA_ERASERS))
    erasers["recognition"](application.applicant)
    assert not Application.objects.exists()
    assert not Recognition.objects.exists()


def test_the_review_page_still_opens_once_its_assessor_has_left():
    """A deleted assessor's decision and notes stay, without their name (and without a 500)."""
    application = submitted_application()
    leaver = make_assessor()
    services.application_note(application=application, assessor=leaver, text="Checked the trust.")
    services.application_approve(application=application, assessor=leaver, reason="Good.")
    leaver.delete()

    client = Client()
    client.force_login(make_assessor())
    response = client.get(reverse("recognition_review:review", args=[application.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Checked the trust." in page
    assert "a former assessor" in page
