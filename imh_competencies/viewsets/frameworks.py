"""Wagtail admin for competency frameworks: list, view, edit, import, export and crosswalks.

Everything sits in the "Competencies" group of the Learning menu. Other parts of the admin
can add their own items to that group: a function registered for the
``IMH_COMPETENCIES_MENU_ITEMS`` hook (``imh_core.hooks``) returning a ``MenuItem``, or a
viewset whose ``menu_hook`` is ``IMH_COMPETENCIES_MENU_ITEMS``.

Who may do what follows the model permissions (the Educators group has view, add and change
on frameworks, areas and competencies, and manages crosswalks): importing needs "add
framework"; viewing and exporting need any framework permission.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button, HeaderButton, MenuItem
from wagtail.log_actions import log

from imh_competencies import frameworks_io
from imh_competencies.frameworks_io import (
    MAX_FILE_BYTES,
    FrameworkImportError,
    export_content_type,
    export_filename,
    framework_export,
    framework_import,
    framework_title,
)
from imh_competencies.models import Area, Competency, Crosswalk, Framework
from imh_core.hooks import IMH_COMPETENCIES_MENU_ITEMS, IMH_LEARNING_MENU_ITEMS

EXPORT_FORMATS = [
    ("json", _("JSON (everything, for another site like this one)")),
    ("csv", _("CSV (for spreadsheets)")),
    ("moodle", _("Moodle CSV (for Moodle's Import competency framework)")),
]
# What the download buttons call each format: a separate string, so that translations of the
# longer labels above need not keep an English shape.
EXPORT_NAMES = {"json": _("JSON"), "csv": _("CSV"), "moodle": _("Moodle CSV")}


def _download_label(fmt: str) -> str:
    return gettext("Download %(format)s") % {"format": EXPORT_NAMES[fmt]}


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class LinesField(forms.CharField):
    """A list of labels edited as one label per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class FrameworkForm(WagtailAdminModelForm):
    levels = LinesField(
        label=_("Levels"),
        help_text=_(
            "One level per line, lowest first, for example Level 1, Level 2, Level 3 or "
            "Informed, Skilled, Enhanced, Specialist."
        ),
    )
    taxonomies = LinesField(
        label=_("Names of each depth"),
        required=False,
        help_text=_("Optional. One per line, top first, for example Area, Competency."),
    )

    def clean_levels(self) -> list[str]:
        levels = self.cleaned_data["levels"]
        if self.instance.pk and len(levels) < len(self.instance.levels):
            in_use = self.instance.competencies.exclude(descriptors={}).exists()
            if in_use:
                # Descriptors are stored by level number; dropping a level would orphan them.
                raise forms.ValidationError(
                    gettext(
                        "This framework has %(count)s levels and competencies describe each "
                        "of them. Rename levels instead of removing them."
                    )
                    % {"count": len(self.instance.levels)}
                )
        return levels


class DescriptorsWidget(forms.Widget):
    """One labelled text box per level of the framework, named ``<name>_<level number>``."""

    def __init__(self, levels: list[str], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.levels = levels

    def render(self, name, value, attrs=None, renderer=None):
        value = value if isinstance(value, dict) else {}
        base_id = (attrs or {}).get("id") or f"id_{name}"
        boxes = format_html_join(
            "",
            '<div class="w-field__wrapper"><label class="w-field__label" for="{}_{}">{}</label>'
            '<div class="w-field__input"><textarea name="{}_{}" id="{}_{}" rows="3" cols="40">'
            "{}</textarea></div></div>",
            (
                (base_id, n, label, name, n, base_id, n, value.get(str(n), ""))
                for n, label in enumerate(self.levels, start=1)
            ),
        )
        return format_html('<div id="{}">{}</div>', base_id, boxes)

    def value_from_datadict(self, data, files, name):
        return {str(n): data.get(f"{name}_{n}", "") for n in range(1, len(self.levels) + 1)}

    def id_for_label(self, id_):
        return f"{id_}_1" if id_ else id_


class DescriptorsField(forms.Field):
    def __init__(self, *, levels: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", DescriptorsWidget(levels))
        kwargs.setdefault(
            "help_text",
            _(
                "What the competency looks like at each level. Leave a box empty if "
                "the level does not apply."
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            return {}
        return {key: str(text).strip() for key, text in value.items() if str(text).strip()}


class CompetencyForm(WagtailAdminModelForm):
    """The framework follows from the area; one descriptor box per level of that framework."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = self.instance.framework if self.instance.framework_id else None
        if framework is not None and "descriptors" in self.fields:
            self.fields["descriptors"] = DescriptorsField(
                levels=framework.levels, label=gettext("Descriptors")
            )
        if "parent" in self.fields:
            self.fields["parent"].queryset = Competency.objects.select_related("framework")
            if framework is not None:
                self.fields["parent"].queryset = Competency.objects.filter(
                    framework=framework
                ).exclude(pk=self.instance.pk)
        if "area" in self.fields:
            self.fields["area"].queryset = Area.objects.select_related("framework")
            self.fields["area"].label_from_instance = lambda area: (
                f"{framework_title(area.framework)}: {area}"
            )
        if framework is None and "descriptors" in self.fields:
            self.fields["descriptors"].help_text = gettext(
                'By level number, for example {"1": "…", "2": "…"}. After saving, each level '
                "of the framework gets its own box."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        area = cleaned.get("area")
        parent = cleaned.get("parent")
        if area is not None:
            self.instance.framework = area.framework
            if parent is not None and parent.framework_id != area.framework_id:
                self.add_error(
                    "parent", gettext("Choose a parent in the same framework as the area.")
                )
            ancestor = parent
            while ancestor is not None and self.instance.pk:
                if ancestor.pk == self.instance.pk:
                    self.add_error("parent", gettext("A competency cannot be nested below itself."))
                    break
                ancestor = ancestor.parent
            code = cleaned.get("code")
            clash = Competency.objects.filter(framework=area.framework, code=code).exclude(
                pk=self.instance.pk
            )
            if code and clash.exists():
                self.add_error(
                    "code",
                    gettext('The framework already has a competency "%(code)s".') % {"code": code},
                )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file"),
        help_text=format_lazy(
            _("A .json or .csv file, up to {megabytes} MB."),
            megabytes=MAX_FILE_BYTES // (1024 * 1024),
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Work it out from the file")), *EXPORT_FORMATS],
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )


# --------------------------------------------------------------------------------------------
# Framework views
# --------------------------------------------------------------------------------------------


def _export_url(framework: Framework, fmt: str) -> str:
    return reverse("competency_frameworks:export", args=[framework.pk, fmt])


class FrameworkIndexView(generic.IndexView):
    import_url_name = None

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                area_count=Count("areas", distinct=True),
                competency_count=Count("competencies", distinct=True),
            )
        )

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    gettext("Import framework"),
                    url=reverse(self.import_url_name),
                    icon_name="upload",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        for priority, (fmt, _label) in enumerate(EXPORT_FORMATS, start=60):
            buttons.append(
                MenuItem(
                    _download_label(fmt),
                    url=_export_url(instance, fmt),
                    icon_name="download",
                    priority=priority,
                )
            )
        return buttons


class FrameworkInspectView(generic.InspectView):
    """The whole framework: areas, competencies as a tree, descriptors and crosswalks."""

    template_name = "imh_competencies/admin/framework_inspect.html"

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (fmt, _label) in enumerate(EXPORT_FORMATS, start=60):
            buttons.append(
                Button(
                    _download_label(fmt),
                    url=_export_url(self.object, fmt),
                    icon_name="download",
                    priority=priority,
                )
            )
        return buttons

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        framework = self.object
        context.update(
            {
                "framework": framework,
                "areas": frameworks_io.framework_tree(framework=framework),
                "levels": framework.level_choices,
                "exports": [(label, _export_url(framework, fmt)) for fmt, label in EXPORT_FORMATS],
                "pending_count": frameworks_io.framework_pending_crosswalk_count(
                    framework=framework
                ),
            }
        )
        return context


class FrameworkExportView(PermissionCheckedMixin, View):
    model = Framework
    any_permission_required = ["add", "change", "delete", "view"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = kwargs["format"]
        if fmt not in dict(EXPORT_FORMATS):
            raise Http404("Unknown export format.")
        framework = get_object_or_404(Framework, pk=kwargs["pk"])
        response = HttpResponse(
            framework_export(framework=framework, format=fmt),
            content_type=export_content_type(fmt),
        )
        filename = export_filename(framework=framework, format=fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class FrameworkImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Framework
    permission_required = "add"
    form_class = ImportForm
    template_name = "imh_competencies/admin/framework_import.html"
    page_title = _("Import framework")
    header_icon = "upload"
    index_url_name = None
    inspect_url_name = None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": gettext("Frameworks")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("row_errors", [])
        context["max_megabytes"] = MAX_FILE_BYTES // (1024 * 1024)
        context["index_url"] = reverse(self.index_url_name)
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            form.add_error(
                "file",
                gettext("The file is larger than %(megabytes)s MB.")
                % {"megabytes": MAX_FILE_BYTES // (1024 * 1024)},
            )
            return self.form_invalid(form)
        try:
            result = framework_import(
                file=upload,
                filename=upload.name,
                format=form.cleaned_data["format"] or None,
                imported_by=self.request.user,
            )
        except FrameworkImportError as error:
            count = len(error.row_errors)
            form.add_error(
                "file",
                ngettext(
                    "Nothing was imported: the file has %(count)s problem to fix (listed below).",
                    "Nothing was imported: the file has %(count)s problems to fix (listed below).",
                    count,
                )
                % {"count": count},
            )
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=error.row_errors)
            )
        log(instance=result.framework, action="wagtail.create", user=self.request.user)
        messages.success(self.request, result.summary)
        for warning in result.warnings[:20]:
            messages.warning(self.request, warning)
        return redirect(self.inspect_url_name, result.framework.pk)


class FrameworkViewSet(ModelViewSet):
    model = Framework
    name = "competency_frameworks"
    url_prefix = "competencies/frameworks"
    icon = "list-ul"
    menu_label = _("Frameworks")
    index_view_class = FrameworkIndexView
    inspect_view_class = FrameworkInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        "version",
        "publisher",
        Column("area_count", label=_("Areas"), sort_key="area_count"),
        Column("competency_count", label=_("Competencies"), sort_key="competency_count"),
        Column("levels", label=_("Levels"), accessor=lambda f: len(f.levels)),
        BooleanColumn("is_sample", label=_("Sample")),
    ]
    list_filter = ["is_sample"]
    search_fields = ["name", "publisher", "slug"]
    search_backend_name = None
    ordering = ["name", "version"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("version")]),
            FieldPanel("slug"),
            FieldPanel("publisher"),
            FieldPanel("description"),
            FieldPanel("licence_note"),
            MultiFieldPanel(
                [FieldPanel("levels"), FieldPanel("taxonomies")], heading=_("Levels and depths")
            ),
            FieldRowPanel([FieldPanel("is_sample"), FieldPanel("source_id")]),
        ],
        base_form_class=FrameworkForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(import_url_name=self.get_url_name("import"), **kwargs)

    @property
    def import_view(self):
        return self.construct_view(
            FrameworkImportView,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    @property
    def export_view(self):
        return self.construct_view(FrameworkExportView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", self.import_view, name="import"),
            path("export/<int:pk>/<str:format>/", self.export_view, name="export"),
        ]


# --------------------------------------------------------------------------------------------
# Areas, competencies, crosswalks
# --------------------------------------------------------------------------------------------


class AreaViewSet(ModelViewSet):
    model = Area
    name = "competency_areas"
    url_prefix = "competencies/areas"
    icon = "folder-open-inverse"
    menu_label = _("Areas")
    copy_view_enabled = False
    list_display = ["code", "name", "framework", "sort_order"]
    list_filter = ["framework"]
    search_fields = ["code", "name"]
    search_backend_name = None
    ordering = ["framework__name", "sort_order", "code"]
    form_fields = ["framework", "code", "name", "description", "sort_order"]


class CompetencyIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("framework", "area", "parent")


class CompetencyViewSet(ModelViewSet):
    model = Competency
    name = "competencies_list"
    url_prefix = "competencies/competencies"
    icon = "tick"
    menu_label = _("Competencies")
    index_view_class = CompetencyIndexView
    copy_view_enabled = False
    list_display = ["code", "short_name", "area", "parent", "framework"]
    list_filter = ["framework", "area"]
    search_fields = ["code", "short_name", "statement"]
    search_backend_name = None
    ordering = ["framework__name", "area__sort_order", "sort_order", "code"]
    edit_handler = ObjectList(
        [
            FieldPanel("area"),
            FieldPanel("parent"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("short_name")]),
            FieldPanel("statement"),
            FieldPanel("descriptors"),
            FieldPanel("sort_order"),
        ],
        base_form_class=CompetencyForm,
    )


class CompetencyFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("Search code or name"), required=False)
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(), required=False, empty_label=_("All frameworks")
    )

    def filter(self, objects):
        if not self.is_valid():
            return objects
        query = self.cleaned_data.get("q")
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(Q(code__icontains=query) | Q(short_name__icontains=query))
        if self.cleaned_data.get("framework"):
            objects = objects.filter(framework=self.cleaned_data["framework"])
        return objects


class _CompetencyColumns:
    @property
    def columns(self):
        return [
            *super().columns,
            Column(
                "framework", label=_("Framework"), accessor=lambda c: framework_title(c.framework)
            ),
            Column("area", label=_("Area"), accessor="area"),
        ]

    def get_object_list(self):
        return Competency.objects.select_related("framework", "area").order_by(
            "framework__name", "area__sort_order", "sort_order", "code"
        )


class CompetencyChooseView(_CompetencyColumns, chooser_views.ChooseView):
    pass


class CompetencyChooseResultsView(_CompetencyColumns, chooser_views.ChooseResultsView):
    pass


class CompetencyChooserViewSet(ChooserViewSet):
    """A searchable chooser for competencies; not made the default widget everywhere."""

    model = Competency
    name = "competency_chooser"
    url_prefix = "competencies/choose-competency"
    icon = "tick"
    choose_one_text = _("Choose a competency")
    choose_another_text = _("Choose another competency")
    register_widget = False
    choose_view_class = CompetencyChooseView
    choose_results_view_class = CompetencyChooseResultsView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(filter_form_class=CompetencyFilterForm, **kwargs)


competency_chooser_viewset = CompetencyChooserViewSet()


class CrosswalkForm(WagtailAdminModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        competency, related = cleaned.get("competency"), cleaned.get("related")
        if competency and related:
            if competency == related:
                self.add_error("related", gettext("Choose a different competency to link to."))
            elif (
                Crosswalk.objects.filter(competency=competency, related=related)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("related", gettext("These two competencies are already linked."))
        return cleaned


class CrosswalkIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("competency__framework", "related__framework")
        )


class CrosswalkViewSet(ModelViewSet):
    model = Crosswalk
    name = "competency_crosswalks"
    url_prefix = "competencies/crosswalks"
    icon = "resubmit"
    menu_label = _("Crosswalks")
    index_view_class = CrosswalkIndexView
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("from_framework", label=_("From"), accessor="competency.framework"),
        Column("to_framework", label=_("To"), accessor="related.framework"),
        "note",
    ]
    list_filter = ["competency__framework", "related__framework"]
    search_fields = ["competency__code", "related__code", "note"]
    search_backend_name = None
    ordering = ["competency__framework__name", "competency__code"]

    @cached_property
    def edit_handler(self):
        widget = competency_chooser_viewset.widget_class
        return ObjectList(
            [
                FieldPanel("competency", widget=widget),
                FieldPanel("related", widget=widget, heading=_("Corresponds to")),
                FieldPanel("note"),
            ],
            base_form_class=CrosswalkForm,
        )


class CompetenciesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Competencies")
    menu_icon = "tick-inverse"
    menu_order = 240
    menu_hook = IMH_LEARNING_MENU_ITEMS
    submenu_hook = IMH_COMPETENCIES_MENU_ITEMS
    items = (FrameworkViewSet, AreaViewSet, CompetencyViewSet, CrosswalkViewSet)


@hooks.register("register_admin_viewset")
def register_framework_viewsets():
    return [CompetenciesViewSetGroup(), competency_chooser_viewset]
