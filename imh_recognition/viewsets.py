"""Wagtail admin for recognition: the assessors' queue and review page, schemes, recognitions.

Everything sits in a "Recognition" group of the Learning menu. Assessors (the group named by
``IMH_RECOGNITION_ASSESSORS_GROUP``, with ``imh_recognition.review_application``) see the
queue and review applications, never their own. Educators and administrators edit schemes.
Recognitions are listed read-only: they change only through the services (approval,
renewal, lapse, revocation).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from imh_core.forms import add_service_errors
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name
from imh_recognition import selectors, services
from imh_recognition.admin_revoke import RecognitionInspectView
from imh_recognition.forms import (
    ApproveForm,
    DeclineForm,
    NoteForm,
    QueueFilterForm,
    RequestMoreForm,
)
from imh_recognition.models import Recognition, Scheme
from imh_recognition.roles import REVIEW_PERMISSION, user_is_assessor


class _AssessorOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_assessor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ReviewQueueView(_AssessorOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_recognition/admin/queue.html"
    page_title = _("Applications for recognition")
    header_icon = "tick-inverse"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None)
        filters: dict[str, Any] = {}
        if form.is_valid():
            scheme = form.cleaned_data.get("scheme")
            filters = {
                "scheme_id": scheme.pk if scheme else None,
                "status": form.cleaned_data.get("status") or None,
                "region": form.cleaned_data.get("region") or None,
            }
        applications = list(selectors.applications_for_review(**filters)[:500])
        for application in applications:
            application.applicant_name = person_name(application.applicant)
            application.is_own = application.applicant_id == self.request.user.pk
        context.update({"filter_form": form, "applications": applications})
        return context


class ReviewView(_AssessorOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_recognition/admin/review.html"
    header_icon = "tick-inverse"
    forms = {
        "request_more": RequestMoreForm,
        "approve": ApproveForm,
        "decline": DeclineForm,
        "note": NoteForm,
    }

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.application = selectors.application_for_review(pk=kwargs["pk"])
        self.bound = {name: form_class(prefix=name) for name, form_class in self.forms.items()}

    def get_page_title(self) -> str:
        return gettext("Review: %(name)s, %(scheme)s") % {
            "name": person_name(self.application.applicant),
            "scheme": self.application.scheme.title,
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("recognition_review:index"), "label": gettext("Applications")},
            {"url": "", "label": person_name(self.application.applicant)},
        ]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in self.forms:
            return redirect("recognition_review:review", pk=self.application.pk)
        form = self.forms[action](request.POST, prefix=action)
        self.bound[action] = form
        if form.is_valid():
            try:
                success = self._act(action, form.cleaned_data)
            except PermissionDenied as error:
                messages.error(request, str(error) or gettext("You cannot do that."))
                return redirect("recognition_review:review", pk=self.application.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, success)
                if action == "note":
                    return redirect("recognition_review:review", pk=self.application.pk)
                return redirect("recognition_review:index")
        return self.get(request, *args, **kwargs)

    def _act(self, action: str, data: dict[str, Any]) -> str:
        application, user = self.application, self.request.user
        name = person_name(application.applicant)
        if action == "request_more":
            services.application_request_more(
                application=application, assessor=user, text=data["text"]
            )
            return gettext("%(name)s is asked for more and emailed your request.") % {"name": name}
        if action == "approve":
            recognition = services.application_approve(
                application=application, assessor=user, reason=data["reason"]
            )
            return gettext("Approved: %(name)s is recognised until %(date)s.") % {
                "name": name,
                "date": recognition.valid_until.strftime("%d/%m/%Y"),
            }
        if action == "decline":
            services.application_decline(
                application=application, assessor=user, reason=data["reason"]
            )
            return gettext("Declined. %(name)s is emailed your reason.") % {"name": name}
        services.application_note(application=application, assessor=user, text=data["text"])
        return gettext("Your note is added. Only assessors can see it.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = self.application
        context.update(
            {
                "application": application,
                "applicant_name": person_name(application.applicant),
                "evidence": selectors.application_evidence(application=application),
                "requirements": selectors.application_requirements(application=application),
                "thread": selectors.messages_for_assessor(application=application),
                "recognition": Recognition.objects.filter(application=application).first(),
                "is_own": application.applicant_id == self.request.user.pk,
                **{f"{name}_form": form for name, form in self.bound.items()},
            }
        )
        return context


class AssessorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return user_is_assessor(request.user)


class ApplicationReviewViewSet(ViewSet):
    name = "recognition_review"
    url_prefix = "recognition/applications"
    icon = "tick-inverse"
    menu_label = _("Applications")
    menu_item_class = AssessorMenuItem

    def get_urlpatterns(self):
        return [
            path("", ReviewQueueView.as_view(), name="index"),
            path("<int:pk>/", ReviewView.as_view(), name="review"),
        ]


class SchemeViewSet(ModelViewSet):
    model = Scheme
    name = "recognition_schemes"
    url_prefix = "recognition/schemes"
    icon = "list-ul"
    menu_label = _("Schemes")
    copy_view_enabled = False
    list_display = [
        "title",
        "framework",
        Column("level", label=_("Level"), accessor="level_label"),
        "min_supervision_hours",
        "reliability_required",
        "open",
    ]
    list_filter = ["framework", "open"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["framework__name", "level"]


class RecognitionPermissionPolicy(ModelPermissionPolicy):
    """Recognitions are looked at here, never added, edited or deleted: they change only
    through the services. Viewing needs "view" (assessors and educators have it)."""

    def user_has_permission(self, user, action: str) -> bool:
        if action == "view":
            return super().user_has_permission(user, "view") or user.has_perm(REVIEW_PERMISSION)
        return False

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if "view" not in set(actions):
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(["view"])


register_permission_policy(Recognition, RecognitionPermissionPolicy(Recognition))


class RecognitionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("scheme__framework")


class RecognitionViewSet(ModelViewSet):
    model = Recognition
    name = "recognitions_admin"
    url_prefix = "recognition/recognitions"
    icon = "success"
    menu_label = _("Recognitions")
    index_view_class = RecognitionIndexView
    inspect_view_class = RecognitionInspectView  # adds Verification page and Revoke
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "display_name",
        "scheme",
        "code",
        "granted_on",
        "valid_until",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "public",
    ]
    list_filter = ["status", "scheme", "public", "region"]
    search_fields = ["display_name", "code"]
    search_backend_name = None
    ordering = ["-granted_on"]
    inspect_view_fields = [
        "display_name",
        "person",
        "scheme",
        "level",
        "code",
        "area_of_practice",
        "region",
        "granted_on",
        "valid_until",
        "status",
        "revoked_reason",
        "public",
        "public_changed_at",
        "application",
    ]
    # Never used (the permission policy refuses add and change), but ModelViewSet needs it.
    form_fields = ["display_name"]


class RecognitionViewSetGroup(ViewSetGroup):
    menu_label = _("Recognition")
    menu_icon = "success"
    menu_order = 270
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (ApplicationReviewViewSet, SchemeViewSet, RecognitionViewSet)
