"""Admin for the external programme directory, in the Competencies group of the Learning menu.

Educators add programmes run elsewhere, map them to competencies of one framework (inline),
and review them: approved programmes appear in the trainees' directory. Changing what was
approved (framework, level, hours, whether it is participatory or the mapping) takes a
programme back to review. Reviewing needs ``imh_competencies.review_externalprogramme``; the
Educators group has it with view, add and change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, MenuItem

from imh_competencies import selectors, services
from imh_competencies.models import Competency, ExternalProgramme
from imh_core.hooks import IMH_COMPETENCIES_MENU_ITEMS

REVIEW_PERMISSION = services.PROGRAMME_REVIEW_PERMISSION
# Changing these after approval takes the programme back to review; wording changes do not.
REVIEWED_FIELDS = ("framework", "level", "typical_hours", "participatory")


def user_can_review_programmes(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REVIEW_PERMISSION))


class CompetencyByFrameworkSelect(forms.Select):
    """Competencies grouped by framework and area, so a plain select stays readable."""

    def optgroups(self, name, value, attrs=None):
        groups: dict[str, list[tuple[int, str]]] = {}
        for competency in Competency.objects.select_related("framework", "area").order_by(
            "framework__name", "framework__version", "area__sort_order", "sort_order", "code"
        ):
            label = f"{competency.framework} \N{EN DASH} {competency.area.name}"
            groups.setdefault(label, []).append(
                (competency.pk, f"{competency.code} {competency.short_name}")
            )
        self.choices = [("", gettext("Choose a competency")), *groups.items()]
        return super().optgroups(name, value, attrs)


class ExternalProgrammeForm(WagtailAdminModelForm):
    """Checks the mapping against the programme's framework: every competency from it, once,
    at one of its levels."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        framework = cleaned.get("framework")
        formset = self.formsets.get("mappings") if hasattr(self, "formsets") else None
        if framework is None or formset is None or not formset.is_valid():
            return cleaned
        level = cleaned.get("level")
        if level and not 1 <= level <= len(framework.levels):
            self.add_error(
                "level",
                gettext("Choose a level from 1 to %(count)s.") % {"count": len(framework.levels)},
            )
        seen: set[int] = set()
        for child in formset.forms:
            if formset.can_delete and formset._should_delete_form(child):
                continue
            competency = child.cleaned_data.get("competency")
            if competency is None:
                continue
            if competency.framework_id != framework.pk:
                child.add_error(
                    "competency",
                    gettext("Choose a competency from %(framework)s, the programme's framework.")
                    % {"framework": framework},
                )
            elif competency.pk in seen:
                child.add_error("competency", gettext("This competency is already mapped."))
            seen.add(competency.pk)
        return cleaned

    def reviewed_facts_changed(self) -> bool:
        if any(name in self.changed_data for name in REVIEWED_FIELDS):
            return True
        formset = self.formsets.get("mappings")
        return bool(formset and formset.has_changed())


class ProgrammeIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("framework")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if user_can_review_programmes(self.request.user):
            buttons.append(
                MenuItem(
                    gettext("Review"),
                    url=reverse("external_programmes:review", args=[instance.pk]),
                    icon_name="tick-inverse",
                    priority=15,
                )
            )
        return buttons


class ProgrammeCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def get_success_message(self, instance):
        return gettext("“%(title)s” is added and waits for review before trainees can see it.") % {
            "title": instance.title
        }


class ProgrammeEditView(generic.EditView):
    def save_instance(self):
        was_approved = self.object.is_approved
        changed = self.form.reviewed_facts_changed()
        instance = super().save_instance()
        if was_approved and changed:
            instance = services.programme_return_to_review(programme=instance)
            messages.warning(
                self.request,
                gettext(
                    "What was approved has changed, so “%(title)s” is back under review and "
                    "out of the directory until it is approved again."
                )
                % {"title": instance.title},
            )
        return instance

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if user_can_review_programmes(self.request.user):
            buttons.append(
                Button(
                    gettext("Review"),
                    url=reverse("external_programmes:review", args=[self.object.pk]),
                    icon_name="tick-inverse",
                    priority=5,
                )
            )
        return buttons


class ProgrammeReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve: the mapping is right and trainees can claim it")),
            ("not_approve", _("Do not approve")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve the programme.")},
    )
    notes = forms.CharField(
        label=_("Review notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when it is not approved: say why, for the record."),
    )


class ProgrammeReviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_competencies/admin/programme_review.html"
    header_icon = "tick-inverse"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_can_review_programmes(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.programme = selectors.programme_for_directory(pk=kwargs["pk"])
        self.form = ProgrammeReviewForm(
            initial={"notes": self.programme.review_notes},
        )

    def get_page_title(self) -> str:
        return gettext("Review: %(title)s") % {"title": self.programme.title}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("external_programmes:index"), "label": gettext("Programme directory")},
            {"url": "", "label": self.programme.title},
        ]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.form = ProgrammeReviewForm(request.POST)
        if self.form.is_valid():
            approve = self.form.cleaned_data["decision"] == "approve"
            try:
                programme = services.programme_review(
                    programme=self.programme,
                    actor=request.user,
                    approve=approve,
                    notes=self.form.cleaned_data["notes"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        self.form.add_error(field if field in self.form.fields else None, errors)
                else:
                    self.form.add_error(None, error)
            else:
                if approve:
                    text = gettext("“%(title)s” is approved and in the programme directory.")
                else:
                    text = gettext("“%(title)s” is not approved and not in the directory.")
                messages.success(request, text % {"title": programme.title})
                return redirect("external_programmes:index")
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "programme": self.programme,
                "mappings": selectors.programme_mappings(programme=self.programme),
                "records_count": self.programme.learning_records.count(),
                "form": self.form,
            }
        )
        return context


class ExternalProgrammeViewSet(ModelViewSet):
    model = ExternalProgramme
    name = "external_programmes"
    url_prefix = "competencies/programmes"
    icon = "link-external"
    menu_label = _("Programme directory")
    menu_order = 250
    add_to_admin_menu = True
    menu_hook = IMH_COMPETENCIES_MENU_ITEMS
    index_view_class = ProgrammeIndexView
    add_view_class = ProgrammeCreateView
    edit_view_class = ProgrammeEditView
    copy_view_enabled = False
    list_display = [
        "title",
        "provider",
        Column("format", label=_("Format"), accessor="get_format_display"),
        Column("framework", label=_("Framework"), accessor="framework"),
        Column("review_status", label=_("Review"), accessor="get_review_status_display"),
        DateColumn("reviewed_at", label=_("Reviewed")),
    ]
    list_filter = {
        "review_status": ["exact"],
        "format": ["exact"],
        "provider": ["icontains"],
        "framework": ["exact"],
    }
    search_fields = ["title", "provider", "description"]
    search_backend_name = None
    ordering = ["title", "provider"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("title"), FieldPanel("provider")]),
            FieldPanel("description"),
            FieldPanel("url"),
            FieldRowPanel(
                [
                    FieldPanel("framework"),
                    FieldPanel(
                        "level",
                        help_text=_(
                            "The framework level it is pitched at: 1 is the framework's "
                            "first level."
                        ),
                    ),
                ]
            ),
            FieldRowPanel(
                [FieldPanel("format"), FieldPanel("typical_hours"), FieldPanel("participatory")]
            ),
            InlinePanel(
                "mappings",
                heading=_("Mapped competencies"),
                label=_("Competency"),
                help_text=_(
                    "The competencies of the programme's framework it develops, each at a "
                    "level. Trainees who claim the programme claim these."
                ),
                panels=[
                    FieldPanel("competency", widget=CompetencyByFrameworkSelect),
                    FieldPanel(
                        "level",
                        help_text=_("1 is the framework's first level."),
                    ),
                ],
            ),
        ],
        base_form_class=ExternalProgrammeForm,
    )

    @property
    def review_view(self):
        return ProgrammeReviewView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/review/", self.review_view, name="review"),
        ]


@hooks.register("register_admin_viewset")
def register_programme_viewset():
    return ExternalProgrammeViewSet()
