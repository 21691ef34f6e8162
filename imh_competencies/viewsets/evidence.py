"""Admin for evidence: educators verify or reject trainees' external learning.

Open to people with ``imh_competencies.change_externallearning`` (the Educators group has it).
Verifying counts the learning as evidence; rejecting needs a reason, which the trainee is
emailed.
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
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from imh_competencies import selectors, services
from imh_competencies.forms import ExternalLearningRejectForm
from imh_core.hooks import IMH_COMPETENCIES_MENU_ITEMS
from imh_core.people import person_name

REVIEW_PERMISSION = "imh_competencies.change_externallearning"


def user_can_review(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REVIEW_PERMISSION))


class _ReviewerOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ExternalLearningIndexView(_ReviewerOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_competencies/admin/external_learning_index.html"
    page_title = _("External learning to review")
    header_icon = "tick-inverse"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = selectors.external_learning_pending()
        context["reviewed"] = selectors.external_learning_reviewed(limit=25)
        return context


class ExternalLearningReviewView(_ReviewerOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_competencies/admin/external_learning_review.html"
    header_icon = "tick-inverse"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.item = selectors.external_learning_for_review(pk=kwargs["pk"])
        self.form = ExternalLearningRejectForm()

    def get_page_title(self) -> str:
        return gettext("Review: %(title)s") % {"title": self.item.title}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("external_learning_review:index"),
                "label": gettext("External learning"),
            },
            {"url": "", "label": self.item.title},
        ]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = person_name(self.item.user)
        if request.POST.get("action") == "verify":
            try:
                services.external_learning_verify(external_learning=self.item, actor=request.user)
            except (PermissionDenied, ValidationError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return redirect("external_learning_review:review", pk=self.item.pk)
            messages.success(
                request,
                gettext("“%(title)s” is verified and counts for %(name)s.")
                % {"title": self.item.title, "name": name},
            )
            return redirect("external_learning_review:index")
        self.form = ExternalLearningRejectForm(request.POST)
        if self.form.is_valid():
            try:
                services.external_learning_reject(
                    external_learning=self.item,
                    actor=request.user,
                    reason=self.form.cleaned_data["reason"],
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
                return redirect("external_learning_review:review", pk=self.item.pk)
            except ValidationError as error:
                self.form.add_error("reason", " ".join(error.messages))
            else:
                messages.success(
                    request,
                    gettext("“%(title)s” is not accepted. %(name)s is told why.")
                    % {"title": self.item.title, "name": name},
                )
                return redirect("external_learning_review:index")
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "item": self.item,
                "person_name": person_name(self.item.user),
                "claims": selectors.external_learning_claims(external_learning=self.item),
                "form": self.form,
            }
        )
        return context


class ExternalLearningReviewViewSet(ViewSet):
    name = "external_learning_review"
    url_prefix = "competencies/external-learning"
    icon = "tick-inverse"
    menu_label = _("External learning")

    def get_urlpatterns(self):
        return [
            path("", ExternalLearningIndexView.as_view(), name="index"),
            path("<int:pk>/", ExternalLearningReviewView.as_view(), name="review"),
        ]


class ExternalLearningMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return user_can_review(request.user)


@hooks.register("register_admin_viewset")
def register_external_learning_viewset():
    return ExternalLearningReviewViewSet()


# In the Competencies menu, beside the frameworks the evidence is about.
@hooks.register(IMH_COMPETENCIES_MENU_ITEMS)
def register_external_learning_menu_item():
    return ExternalLearningMenuItem(
        _("External learning"),
        reverse("external_learning_review:index"),
        name="external-learning-review",
        icon_name="tick-inverse",
        order=260,
    )
