"""Wagtail admin for observation reliability, in the "Observation reliability" group of the
Learning menu: scales (with items), items (with their points), clips (with reference codes and
a logged preview), tests, and the clip views report.

Who may do what follows the model permissions; the Educators group gets them after migrate
(``ReliabilityConfig.educator_permissions``).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from imh_core.forms import PrivateFileInput
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.views import SpreadsheetSafeIndexView
from imh_reliability import selectors, services
from imh_reliability.models import (
    Clip,
    ClipView,
    ReliabilityTest,
    Scale,
    ScaleItem,
)

# Scales and items.


class ScaleCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class ScaleViewSet(ModelViewSet):
    model = Scale
    icon = "table"
    menu_label = _("Scales")
    url_prefix = "reliability/scales"
    url_namespace = "reliability_scales"
    add_view_class = ScaleCreateView
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "description"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("licence_note"),
        InlinePanel(
            "items",
            heading=_("Items"),
            label=_("Item"),
            panels=[
                FieldRowPanel([FieldPanel("position"), FieldPanel("code")]),
                FieldPanel("name"),
                FieldPanel("guidance"),
            ],
            help_text=_(
                "Save the scale, then add each item's points from Scale items in the menu."
            ),
        ),
    ]


class ScaleItemViewSet(ModelViewSet):
    model = ScaleItem
    icon = "list-ol"
    menu_label = _("Scale items and points")
    url_prefix = "reliability/items"
    url_namespace = "reliability_items"
    list_display = [
        "__str__",
        "scale",
        "position",
        Column("points", label=_("Points"), accessor="point_count"),
    ]
    list_filter = ["scale"]
    search_fields = ["code", "name"]
    panels = [
        FieldPanel("scale"),
        FieldRowPanel([FieldPanel("position"), FieldPanel("code")]),
        FieldPanel("name"),
        FieldPanel("guidance"),
        InlinePanel(
            "points",
            heading=_("Points"),
            label=_("Point"),
            min_num=2,
            panels=[FieldPanel("value"), FieldPanel("label"), FieldPanel("descriptor")],
        ),
    ]

    def get_queryset(self, request):
        return ScaleItem.objects.select_related("scale").annotate(point_count=Count("points"))


# Clips.


class ClipForm(WagtailAdminModelForm):
    def is_valid(self):
        # Child formsets are only cleaned in ``is_valid``, after the form's own ``clean``.
        valid = super().is_valid()
        if valid:
            self._check_references()
        return (
            valid
            and not self.errors
            and all(
                not form.errors for form in getattr(self.formsets.get("references"), "forms", [])
            )
        )

    def _check_references(self):
        cleaned = self.cleaned_data
        formset = self.formsets.get("references")
        scale = cleaned.get("scale")
        if formset is not None and scale is not None:
            for form in formset.forms:
                item = form.cleaned_data.get("item") if hasattr(form, "cleaned_data") else None
                if item is None or form.cleaned_data.get("DELETE"):
                    continue
                if item.scale_id != scale.pk:
                    form.add_error("item", gettext("Choose an item of the clip's scale."))
                elif form.cleaned_data.get("value") not in item.point_values:
                    form.add_error(
                        "value",
                        gettext("Choose one of the item's points: %(values)s.")
                        % {"values": ", ".join(str(v) for v in item.point_values)},
                    )


class ClipCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.uploaded_by = self.request.user
        return super().save_instance()


class ClipEditView(generic.EditView):
    def get_header_buttons(self):
        buttons = list(super().get_header_buttons())
        if self.object.file and not self.object.deleted_at:
            buttons.append(
                Button(
                    gettext("Preview"),
                    url=reverse(clip_viewset.get_url_name("preview"), args=[self.object.pk]),
                    icon_name="view",
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            if self.object.deleted_at:
                messages.warning(
                    self.request,
                    gettext("This clip's file was deleted on %(date)s at the end of retention.")
                    % {"date": self.object.deleted_at.date().isoformat()},
                )
            else:
                missing = self.object.missing_reference_items()
                if missing:
                    messages.warning(
                        self.request,
                        gettext(
                            "Give a reference code for every item before using this clip in a "
                            "live test. Missing: %(items)s."
                        )
                        % {"items": ", ".join(item.code for item in missing)},
                    )
        return context


class ClipPreviewView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """The clip through the signed stream; each start is logged as an educator preview."""

    permission_required = "view"
    template_name = "imh_reliability/admin/clip_preview.html"
    page_title = _("Preview clip")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clip = get_object_or_404(Clip, pk=self.kwargs["pk"])
        context["clip"] = clip
        context["stream_url"] = (
            None
            if clip.deleted_at or not clip.file
            else services.clip_url(
                clip=clip, user=self.request.user, purpose=ClipView.Purpose.ADMIN_PREVIEW
            )
        )
        context["references"] = clip.references.select_related("item")
        return context


class ClipViewSet(ModelViewSet):
    model = Clip
    icon = "media"
    menu_label = _("Clips")
    url_prefix = "reliability/clips"
    url_namespace = "reliability_clips"
    add_view_class = ClipCreateView
    edit_view_class = ClipEditView
    list_display = [
        "title",
        "scale",
        BooleanColumn("is_synthetic", label=_("Synthetic")),
        "retain_until",
        Column("deleted_at", label=_("File deleted")),
    ]
    list_filter = ["scale", "is_synthetic"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("scale"),
            FieldPanel("title"),
            FieldPanel("file", widget=PrivateFileInput),
            FieldPanel("transcript"),
            MultiFieldPanel(
                [
                    FieldPanel("is_synthetic"),
                    FieldPanel("consent_record"),
                    FieldPanel("consent_obtained_on"),
                    FieldPanel("retain_until"),
                ],
                heading=_("Consent and retention"),
            ),
            InlinePanel(
                "references",
                heading=_("Expert reference codes"),
                label=_("Reference code"),
                panels=[FieldPanel("item"), FieldPanel("value")],
                help_text=_("One code per item of the scale, as the value of a point."),
            ),
        ],
        base_form_class=ClipForm,
    )

    @property
    def preview_view(self):
        return ClipPreviewView.as_view(
            permission_policy=self.permission_policy,
            header_icon=self.icon,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/preview/", self.preview_view, name="preview"),
        ]


clip_viewset = ClipViewSet()


# Tests.


class ReliabilityTestForm(WagtailAdminModelForm):
    def is_valid(self):
        # Child formsets are only cleaned in ``is_valid``, after the form's own ``clean``.
        valid = super().is_valid()
        if valid:
            self._check_live()
        return valid and not self.errors

    def _check_live(self):
        cleaned = self.cleaned_data
        if not cleaned.get("live"):
            return
        formset = self.formsets.get("test_clips")
        clips = []
        if formset is not None:
            for form in formset.forms:
                data = getattr(form, "cleaned_data", {}) or {}
                if data.get("clip") and not data.get("DELETE"):
                    clips.append(data["clip"])
        if not clips:
            self.add_error("live", gettext("Add at least one clip before making the test live."))
            return
        scale = cleaned.get("scale")
        problems = []
        for clip in clips:
            if scale is not None and clip.scale_id != scale.pk:
                problems.append(gettext("%(clip)s is for another scale.") % {"clip": clip.title})
            elif clip.deleted_at:
                problems.append(gettext("%(clip)s has been deleted.") % {"clip": clip.title})
            elif clip.missing_reference_items():
                problems.append(
                    gettext("%(clip)s has no reference code for %(items)s.")
                    % {
                        "clip": clip.title,
                        "items": ", ".join(i.code for i in clip.missing_reference_items()),
                    }
                )
        if problems:
            self.add_error(
                "live",
                gettext("The test cannot be live yet. %(problems)s")
                % {"problems": " ".join(problems)},
            )


class ReliabilityTestEditView(generic.EditView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            availability = selectors.test_availability(test=self.object)
            if availability.unusable:
                messages.warning(
                    self.request,
                    gettext(
                        "These clips can no longer be rated (file deleted or reference codes "
                        "missing) and are left out of new attempts: %(clips)s."
                    )
                    % {"clips": ", ".join(clip.title for clip in availability.unusable)},
                )
            if self.object.live and not availability.usable:
                messages.error(
                    self.request,
                    gettext("No clip of this test can be rated: trainees cannot start it."),
                )
        return context


class ReliabilityTestViewSet(ModelViewSet):
    model = ReliabilityTest
    icon = "tasks"
    menu_label = _("Tests")
    url_prefix = "reliability/tests"
    url_namespace = "reliability_tests"
    edit_view_class = ReliabilityTestEditView
    list_display = ["title", "scale", "metric", "pass_mark", BooleanColumn("live")]
    list_filter = ["live", "scale"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("scale"),
            FieldPanel("introduction"),
            MultiFieldPanel(
                [
                    FieldPanel("metric"),
                    FieldPanel("kappa_weights"),
                    FieldPanel("pass_mark"),
                    FieldPanel("validity_months"),
                ],
                heading=_("Passing"),
            ),
            InlinePanel(
                "test_clips", heading=_("Clips"), label=_("Clip"), panels=[FieldPanel("clip")]
            ),
            InlinePanel(
                "competencies",
                heading=_("Competencies a pass counts towards"),
                label=_("Competency"),
                panels=[FieldPanel("competency"), FieldPanel("level")],
            ),
            FieldPanel("live"),
        ],
        base_form_class=ReliabilityTestForm,
    )


# The clip views report: read-only.


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(ClipView, ReadOnlyPolicy(ClipView), exact_class=True)


class ClipViewReportViewSet(ModelViewSet):
    model = ClipView
    icon = "doc-full"
    menu_label = _("Clip views")
    url_prefix = "reliability/clip-views"
    url_namespace = "reliability_clip_views"
    inspect_view_enabled = True
    list_display = [
        Column("viewed_at", label=_("When")),
        "clip",
        "user",
        "purpose",
        Column("attempt", label=_("Attempt")),
        "ip",
    ]
    list_filter = ["purpose", "clip"]
    search_fields = ["clip__title", "user__email", "user__first_name", "user__last_name"]
    form_fields = ["purpose"]
    list_export = ["viewed_at", "clip", "user", "purpose", "ip", "user_agent"]
    index_view_class = SpreadsheetSafeIndexView

    def get_queryset(self, request):
        return ClipView.objects.select_related("clip", "user", "attempt__test")


class ReliabilityViewSetGroup(ModelViewSetGroup):
    menu_label = _("Observation reliability")
    menu_icon = "view"
    menu_order = 245
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (
        ReliabilityTestViewSet(),
        clip_viewset,
        ScaleViewSet(),
        ScaleItemViewSet(),
        ClipViewReportViewSet(),
    )
