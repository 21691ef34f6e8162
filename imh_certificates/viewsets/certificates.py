"""Wagtail admin for certificates: look them up, follow their audit trail, and act on them.

Certificates are records of what someone achieved, so nobody adds or edits one by hand here:
they are issued when a course or pathway is completed. Staff with "Can view certificate"
look them up (list, search by code, holder or title, filter by status and PDF status, and an
inspect page with the audit trail). Staff with "Can change certificate" may also revoke (with
a reason, shown on the verification page), reissue (a new code with the holder's current
name; the old one is marked superseded) and queue a failed PDF to be made again. Each action
goes through ``imh_certificates.services``, which checks the permission again.
"""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from imh_certificates import selectors, services
from imh_certificates.models import Certificate, code_normalise
from imh_core.formatting import datetime_text, hours_text
from imh_core.forms import add_service_errors
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS

# "revoke", "reissue" and "retry_pdf" come with the "change" permission; "change" itself
# (the generic edit form), "add" and "delete" are never granted.
ACTION_PERMISSIONS = frozenset({"revoke", "reissue", "retry_pdf"})

EFFECTIVE_STATUS_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
    "superseded": _("Superseded by a reissue"),
}


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """View with "view" or "change"; the lifecycle actions with "change"; nothing else."""

    def _has(self, user, action: str) -> bool:
        return super().user_has_permission(user, action)

    def user_has_permission(self, user, action: str) -> bool:
        if action == "view":
            return self._has(user, "view") or self._has(user, "change")
        if action in ACTION_PERMISSIONS:
            return self._has(user, "change")
        return False

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]):
        actions = set(actions)
        wanted = set()
        if "view" in actions:
            wanted |= {"view", "change"}
        if actions & ACTION_PERMISSIONS:
            wanted.add("change")
        if not wanted:
            return get_user_model()._default_manager.none()
        return super().users_with_any_permission(wanted)


# Before the viewset asks for the model's policy (Wagtail would otherwise make a fallback).
register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))


def _effective_status(certificate: Certificate) -> str:
    return EFFECTIVE_STATUS_LABELS[certificate.effective_status()]


def _uk_date(moment) -> str:
    return datetime_text(moment) if moment else "-"


def _issued(certificate: Certificate) -> str:
    return timezone.localtime(certificate.issued_at).strftime("%-d %B %Y")


def _expires(certificate: Certificate) -> str:
    return date_format(certificate.expires_on, "j F Y") if certificate.expires_on else _("Never")


class CertificateFilterSet(WagtailFilterSet):
    effective_status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=list(EFFECTIVE_STATUS_LABELS.items()),
        method="filter_effective_status",
        empty_label=_("All"),
    )
    pdf_status = django_filters.ChoiceFilter(
        label=_("PDF"), choices=Certificate.PdfStatus.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Certificate.Kind.choices, empty_label=_("All")
    )

    class Meta:
        model = Certificate
        fields = ["effective_status", "pdf_status", "kind"]

    def filter_effective_status(self, queryset, name, value):
        today = timezone.localdate()
        current = Q(status=Certificate.Status.VALID)
        not_expired = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        if value == "valid":
            return queryset.filter(current & not_expired)
        if value == "expired":
            return queryset.filter(current, expires_on__lt=today)
        return queryset.filter(status=value)


def _action_buttons(view, certificate: Certificate, button_class) -> list:
    """Revoke, reissue and PDF retry, for the people who may and when they make sense."""
    buttons = []
    user = view.request.user
    policy = view.permission_policy
    if certificate.status == Certificate.Status.VALID and policy.user_has_permission(
        user, "revoke"
    ):
        buttons.append(
            button_class(
                _("Revoke"),
                url=reverse(view.revoke_url_name, args=[certificate.pk]),
                icon_name="cross",
                priority=50,
            )
        )
    if certificate.status == Certificate.Status.VALID and policy.user_has_permission(
        user, "reissue"
    ):
        buttons.append(
            button_class(
                _("Reissue"),
                url=reverse(view.reissue_url_name, args=[certificate.pk]),
                icon_name="repeat",
                priority=55,
            )
        )
    if certificate.pdf_status != Certificate.PdfStatus.READY and policy.user_has_permission(
        user, "retry_pdf"
    ):
        buttons.append(
            button_class(
                _("Retry PDF"),
                url=reverse(view.retry_pdf_url_name, args=[certificate.pk]),
                icon_name="resubmit",
                priority=60,
            )
        )
    return buttons


class CertificateIndexView(generic.IndexView):
    filterset_class = CertificateFilterSet
    revoke_url_name = None
    reissue_url_name = None
    retry_pdf_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("superseded_by")

    def search_queryset(self, queryset):
        # A typed code matches however it was typed (case, spaces, no dashes).
        code = code_normalise(self.search_query) if self.is_searching else None
        if code is not None:
            return queryset.filter(code=code)
        return super().search_queryset(queryset)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        return [*buttons, *_action_buttons(self, instance, MenuItem)]


class CertificateInspectView(generic.InspectView):
    template_name = "imh_certificates/admin/inspect.html"
    revoke_url_name = None
    reissue_url_name = None
    retry_pdf_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Certificate.objects.select_related("holder", "superseded_by", "template"),
            pk=self.pk,
        )

    def get_holder_display_value(self):
        holder = self.object.holder
        return f"{holder.get_username()} ({holder.email})" if holder.email else str(holder)

    def get_status_display_value(self):
        return _effective_status(self.object)

    def get_cpd_hours_display_value(self):
        return hours_text(self.object.cpd_hours)

    def get_issued_at_display_value(self):
        return _uk_date(self.object.issued_at)

    def get_revoked_at_display_value(self):
        return _uk_date(self.object.revoked_at)

    def get_pdf_rendered_at_display_value(self):
        return _uk_date(self.object.pdf_rendered_at)

    def get_superseded_by_display_value(self):
        successor = self.object.superseded_by
        return successor.code if successor else "-"

    def get_competencies_display_value(self):
        items = self.object.competencies or []
        return (
            "; ".join(
                f"{item.get('code', '')} {item.get('name', '')} "
                f"({item.get('level_label') or item.get('level', '')}, {item.get('framework', '')})"
                for item in items
            )
            or "-"
        )

    def get_sessions_display_value(self):
        items = self.object.sessions or []
        return (
            "; ".join(f"{item.get('title', '')} ({item.get('date', '')})" for item in items) or "-"
        )

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.pdf_status == Certificate.PdfStatus.READY and self.object.pdf:
            buttons.append(
                Button(
                    _("Download PDF"),
                    url=reverse("imh_certificates:certificate_pdf", args=[self.object.code]),
                    icon_name="download",
                    priority=30,
                )
            )
        buttons.append(
            Button(
                _("Verification page"),
                url=reverse("imh_certificates:verify_code", args=[self.object.code]),
                icon_name="link-external",
                priority=40,
            )
        )
        return [*buttons, *_action_buttons(self, self.object, Button)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = selectors.certificate_events(certificate=self.object)
        return context


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        help_text=_("Anyone who checks the certificate will see this reason."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.REASON_MAX_LENGTH,
        error_messages={
            "required": _("Enter the reason for revoking the certificate"),
            "max_length": format_lazy(
                _("The reason must be {limit} characters or fewer"),
                limit=f"{services.REASON_MAX_LENGTH:,}",
            ),
        },
    )


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reissuing (optional)"),
        help_text=_("Kept in the certificate's history."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.REASON_MAX_LENGTH,
        error_messages={
            "max_length": format_lazy(
                _("The reason must be {limit} characters or fewer"),
                limit=f"{services.REASON_MAX_LENGTH:,}",
            ),
        },
    )


class CertificateActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm an action on one certificate (GET), then do it through a service (POST)."""

    model = Certificate
    header_icon = "doc-full"
    index_url_name = None
    inspect_url_name = None
    form_class = None
    action_label = ""

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Certificate.objects.select_related("holder", "superseded_by"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self) -> str:
        return f"{self.object.code} {self.object.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Certificates")},
            {
                "url": reverse(self.inspect_url_name, args=[self.object.pk]),
                "label": self.object.code,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_form(self):
        if self.form_class is None:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "object": self.object,
                "form": kwargs.get("form") or self.get_form(),
                "action_url": self.request.path,
                "inspect_url": reverse(self.inspect_url_name, args=[self.object.pk]),
                "action_label": self.action_label,
                "current_name": services.holder_name_for(self.object.holder),
                "effective_status": _effective_status(self.object),
            }
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            return self.act(form)
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict"):
                add_service_errors(form, error)
                return self.render_to_response(self.get_context_data(form=form))
            messages.error(request, " ".join(error.messages))
            return redirect(self.inspect_url_name, self.object.pk)

    def act(self, form) -> HttpResponse:  # pragma: no cover - every action defines it
        raise NotImplementedError


class CertificateRevokeView(CertificateActionView):
    permission_required = "revoke"
    page_title = _("Revoke certificate")
    template_name = "imh_certificates/admin/revoke.html"
    form_class = RevokeForm
    action_label = _("Revoke certificate")

    def act(self, form) -> HttpResponse:
        services.certificate_revoke(
            certificate=self.object, reason=form.cleaned_data["reason"], actor=self.request.user
        )
        messages.success(
            self.request,
            _("Certificate %(code)s is revoked. The verification page now says so.")
            % {"code": self.object.code},
        )
        return redirect(self.inspect_url_name, self.object.pk)


class CertificateReissueView(CertificateActionView):
    permission_required = "reissue"
    page_title = _("Reissue certificate")
    template_name = "imh_certificates/admin/reissue.html"
    form_class = ReissueForm
    action_label = _("Reissue certificate")

    def act(self, form) -> HttpResponse:
        new = services.certificate_reissue(
            certificate=self.object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request,
            _(
                "Certificate %(old)s is replaced by %(new)s, issued to %(holder)s. Its PDF is "
                "being made."
            )
            % {"old": self.object.code, "new": new.code, "holder": new.holder_name},
        )
        return redirect(self.inspect_url_name, new.pk)


class CertificateRetryPdfView(CertificateActionView):
    permission_required = "retry_pdf"
    page_title = _("Make the PDF again")
    template_name = "imh_certificates/admin/retry_pdf.html"
    action_label = _("Make the PDF again")

    def act(self, form) -> HttpResponse:
        services.certificate_pdf_retry(certificate=self.object, actor=self.request.user)
        messages.success(
            self.request,
            _("The PDF of certificate %(code)s is queued to be made again.")
            % {"code": self.object.code},
        )
        return redirect(self.inspect_url_name, self.object.pk)


class CertificateViewSet(ModelViewSet):
    """Issued certificates: read-only, with revoke, reissue and PDF retry actions."""

    model = Certificate
    # "certificates" is the site's URL namespace (verification, downloads); the admin's differs.
    name = "certificates_admin"
    url_prefix = "certificates"
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_order = 250
    menu_hook = IMH_LEARNING_MENU_ITEMS
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "code",
        Column("holder_name", label=_("Holder"), sort_key="holder_name"),
        "title",
        Column("issued_at", label=_("Issued"), accessor=_issued, sort_key="issued_at"),
        Column("expires_on", label=_("Expires"), accessor=_expires, sort_key="expires_on"),
        StatusTagColumn(
            "effective_status",
            label=_("Status"),
            accessor=_effective_status,
            primary=lambda certificate: certificate.effective_status() == "valid",
        ),
        Column("pdf_status", label=_("PDF"), accessor="get_pdf_status_display"),
    ]
    search_fields = ["code", "holder_name", "title"]
    # Certificates are not in Wagtail's search index: search the table directly.
    search_backend_name = None
    ordering = ["-issued_at"]
    inspect_view_fields = [
        "code",
        "holder_name",
        "holder",
        "kind",
        "title",
        "cpd_hours",
        "completed_on",
        "competencies",
        "sessions",
        "issued_at",
        "expires_on",
        "status",
        "revoked_at",
        "revoked_reason",
        "superseded_by",
        "issuer_name",
        "signatory_name",
        "signatory_role",
        "pdf_status",
        "pdf_attempts",
        "pdf_error",
        "pdf_rendered_at",
    ]
    # Never used (the permission policy refuses add and change), but ModelViewSet needs it.
    form_fields = ["title"]

    def get_permissions_to_register(self):
        # "view" looks; "change" revokes, reissues and retries PDFs. No add or delete.
        codenames = [get_permission_codename(a, self.model_opts) for a in ("view", "change")]
        return super().get_permissions_to_register().filter(codename__in=codenames)

    def _action_url_names(self) -> dict[str, str]:
        return {
            "revoke_url_name": self.get_url_name("revoke"),
            "reissue_url_name": self.get_url_name("reissue"),
            "retry_pdf_url_name": self.get_url_name("retry_pdf"),
        }

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(**self._action_url_names(), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(**self._action_url_names(), **kwargs)

    def _action_view(self, view_class):
        return self.construct_view(
            view_class,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        # No add, edit, copy or delete: certificates are issued and changed by the services.
        kept = [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in {"add", "edit", "delete", "copy"}
        ]
        return [
            *kept,
            path("revoke/<int:pk>/", self._action_view(CertificateRevokeView), name="revoke"),
            path("reissue/<int:pk>/", self._action_view(CertificateReissueView), name="reissue"),
            path(
                "retry-pdf/<int:pk>/", self._action_view(CertificateRetryPdfView), name="retry_pdf"
            ),
        ]


certificate_viewset = CertificateViewSet()


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_viewset
