"""Admin: the recognition inspect page's extra buttons and the assessors' revoke page.

Revoking needs the assessor permission (``imh_recognition.review_application``) and a reason;
the reason is kept for the person and the assessors, and the public verification page and
API say only that the recognition is revoked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from imh_core.forms import add_service_errors
from imh_recognition import renewal
from imh_recognition.models import Recognition
from imh_recognition.register import recognition_effective_status
from imh_recognition.roles import user_is_assessor

INSPECT_URL_NAME = "recognitions_admin:inspect"
INDEX_URL_NAME = "recognitions_admin:index"


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        help_text=_(
            "The practitioner is emailed this reason. It is not shown on the public "
            "verification page, which says only that the recognition is revoked."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Enter the reason for revoking")},
    )


class RecognitionInspectView(generic.InspectView):
    """The read-only record, with links to its public page and (for assessors) Revoke."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Verification page"),
                url=reverse("imh_recognition:verify_code", args=[self.object.code]),
                icon_name="link-external",
                priority=40,
            )
        )
        if self.object.status != Recognition.Status.REVOKED and user_is_assessor(self.request.user):
            buttons.append(
                Button(
                    _("Revoke"),
                    url=reverse("recognition_revoke", args=[self.object.pk]),
                    icon_name="warning",
                    priority=50,
                )
            )
        return buttons


class RecognitionRevokeView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Revoke recognition")
    header_icon = "warning"
    template_name = "imh_recognition/register/admin/revoke.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_assessor(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(
            Recognition.objects.select_related("scheme__framework", "person"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return f"{self.object.display_name}, {self.object.code}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(INDEX_URL_NAME), "label": _("Recognitions")},
            {
                "url": reverse(INSPECT_URL_NAME, args=[self.object.pk]),
                "label": self.object.code,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "object": self.object,
                "form": kwargs.get("form") or RevokeForm(),
                "status": recognition_effective_status(self.object),
                "inspect_url": reverse(INSPECT_URL_NAME, args=[self.object.pk]),
                "action_url": self.request.path,
            }
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RevokeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            renewal.recognition_revoke(
                assessor=request.user, recognition=self.object, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
                return self.render_to_response(self.get_context_data(form=form))
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Recognition %(code)s is revoked. The verification page now says so.")
                % {"code": self.object.code},
            )
        return redirect(INSPECT_URL_NAME, self.object.pk)


admin_urlpatterns = [
    path(
        "recognition/revoke/<int:pk>/",
        RecognitionRevokeView.as_view(),
        name="recognition_revoke",
    ),
]
