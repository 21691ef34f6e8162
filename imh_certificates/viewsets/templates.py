"""Certificate templates are editorial: educators manage them as snippets and preview a PDF.

"Preview PDF" renders a sample certificate (made-up holder and course) with the saved
template, through the same code as real certificates, and shows it inline.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets

from imh_certificates.models import CertificateTemplate
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS

PREVIEW_URL_NAME = "certificates_templates:preview_pdf"


class TemplatePreviewView(PermissionCheckedMixin, View):
    """A sample certificate in this template, as an inline PDF."""

    model = CertificateTemplate
    any_permission_required = ["add", "change"]
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from imh_certificates import rendering  # WeasyPrint loads only when a preview is asked for

        template = get_object_or_404(CertificateTemplate.objects.all(), pk=pk)
        certificate = rendering.sample_certificate(template)
        pdf = rendering.certificate_pdf(certificate=certificate, template=template, sample=True)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="certificate-template-{template.pk}-preview.pdf"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _preview_url(template: CertificateTemplate) -> str:
    return reverse(PREVIEW_URL_NAME, args=[template.pk])


class TemplateEditView(snippets.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Preview PDF"), url=_preview_url(self.object), icon_name="doc-full", priority=30
            )
        )
        return buttons


class TemplateIndexView(snippets.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.user_has_any_permission(["add", "change"]):
            buttons.append(
                MenuItem(
                    _("Preview PDF"), url=_preview_url(instance), icon_name="doc-full", priority=30
                )
            )
        return buttons


class CertificateTemplateViewSet(snippets.SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    menu_name = "certificate_templates"
    url_prefix = "certificates/templates"
    url_namespace = "certificates_templates"
    menu_hook = IMH_LEARNING_MENU_ITEMS
    menu_order = 260
    list_display = ["name", "issuer_name", "is_default", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "issuer_name", "signatory_name"]
    index_view_class = TemplateIndexView
    edit_view_class = TemplateEditView

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "preview-pdf/<int:pk>/",
                self.construct_view(TemplatePreviewView),
                name="preview_pdf",
            ),
        ]


register_snippet(CertificateTemplateViewSet)
