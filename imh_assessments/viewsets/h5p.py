"""Admin for H5P activities: educators upload ``.h5p`` files as snippets (registers itself).

The form checks the package when it is cleaned and lists every fault under the file field;
saving goes through ``imh_assessments.services.h5p`` (create, replace the package, delete), which
extracts the package into media storage and never leaves files behind on failure.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet

from imh_accounts.permissions import ReadOnlyPermissionPolicy
from imh_assessments.models import H5PActivity, H5PLibrary
from imh_assessments.models.h5p import MARK_RANGE_MESSAGE
from imh_assessments.selectors.h5p import h5p_activity_list
from imh_assessments.services.h5p import (
    h5p_activity_create,
    h5p_activity_delete,
    h5p_activity_update,
    h5p_package_validate,
)
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name


class H5PActivityForm(WagtailAdminModelForm):
    """Title, package, scoring; the package is validated here so every fault is shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mark = self.fields.get("pass_mark")
        if mark is not None:
            # As a quiz's pass mark: a whole percentage, with one plain message for any slip.
            mark.widget.attrs.update({"min": 0, "max": 100, "inputmode": "numeric"})
            for code in ("required", "invalid", "min_value", "max_value"):
                mark.error_messages[code] = MARK_RANGE_MESSAGE
        field = self.fields.get("package")
        if field is not None:
            field.widget.attrs["accept"] = ".h5p"
            if self.instance.pk:
                field.required = False
                field.help_text = _("Upload a new .h5p file only to replace the current package.")

    def clean_package(self) -> Any:
        package = self.cleaned_data.get("package")
        if not isinstance(package, UploadedFile):
            return package
        if not package.name.lower().endswith(".h5p"):
            raise ValidationError(_("Choose an .h5p file (exported from an H5P editor)."))
        result = h5p_package_validate(file=package)
        if not result.is_valid:
            raise ValidationError(
                [
                    _("The H5P package was refused: %(problem)s") % {"problem": message}
                    for message in result.messages
                ]
            )
        return package


def _uploaded(form: forms.Form) -> UploadedFile | None:
    package = form.cleaned_data.get("package")
    return package if isinstance(package, UploadedFile) else None


class _ServiceErrorsMixin:
    """A refusal by the service (after the form was valid) is shown on the form, not a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error("package" if "package" in form.fields else None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class H5PActivityCreateView(_ServiceErrorsMixin, CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)  # fields and competency mappings, in memory
        data = self.form.cleaned_data
        activity = h5p_activity_create(
            title=data["title"],
            file=_uploaded(self.form),
            uploaded_by=self.request.user,
            scoring_policy=data["scoring_policy"],
            pass_mark=data["pass_mark"],
            activity=instance,
        )
        log(instance=activity, action="wagtail.create", user=self.request.user)
        return activity


class H5PActivityEditView(_ServiceErrorsMixin, EditView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        data = self.form.cleaned_data
        activity = h5p_activity_update(
            activity=instance,
            title=data["title"],
            scoring_policy=data["scoring_policy"],
            pass_mark=data["pass_mark"],
            file=_uploaded(self.form),
        )
        log(instance=activity, action="wagtail.edit", user=self.request.user)
        return activity


class H5PActivityDeleteView(DeleteView):
    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        h5p_activity_delete(activity=self.object)


def _main_library(activity: H5PActivity) -> str:
    library = activity.main_library
    if library is None:
        return "-"
    return f"{library.machine_name} {library.major_version}.{library.minor_version}"


def _version(library: H5PLibrary) -> str:
    return f"{library.major_version}.{library.minor_version}.{library.patch_version}"


def _uploaded_by(activity: H5PActivity) -> str:
    return person_name(activity.uploaded_by) or "-"


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "code"
    menu_label = _("H5P activities")
    menu_name = "h5p_activities"
    menu_hook = IMH_LEARNING_MENU_ITEMS
    menu_order = 235
    add_view_class = H5PActivityCreateView
    edit_view_class = H5PActivityEditView
    delete_view_class = H5PActivityDeleteView
    copy_view_enabled = False
    list_display = [
        "title",
        Column("main_library", label=_("Main library"), accessor=_main_library),
        Column("pass_mark", label=_("Pass mark"), accessor=lambda a: f"{a.pass_mark}%"),
        Column("package_size", label=_("Size"), accessor=lambda a: filesizeformat(a.package_size)),
        Column("uploaded_by", label=_("Uploaded by"), accessor=_uploaded_by),
        DateColumn("created_at", label=_("Uploaded")),
    ]
    list_filter = ["scoring_policy"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["title"]
    edit_handler = ObjectList(
        [
            HelpPanel(template="imh_assessments/admin/h5p_upload_help.html"),
            FieldPanel("title"),
            FieldPanel("package"),
            FieldPanel("scoring_policy"),
            FieldPanel("pass_mark"),
            InlinePanel(
                "competency_mappings", heading=_("Competencies"), label=_("Competency mapping")
            ),
        ],
        base_form_class=H5PActivityForm,
    )

    def get_queryset(self, request):
        return h5p_activity_list()


register_snippet(H5PActivityViewSet)


class H5PLibraryViewSet(ModelViewSet):
    """Installed libraries, to look up (they are installed and shared by uploads only)."""

    model = H5PLibrary
    name = "h5p_libraries"
    icon = "code"
    menu_label = _("H5P libraries")
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "machine_name",
        Column("version", label=_("Version"), accessor=_version),
        "title",
        "runnable",
        DateColumn("created_at", label=_("Installed")),
    ]
    list_filter = ["runnable"]
    search_fields = ["machine_name", "title"]
    search_backend_name = None
    ordering = ["machine_name", "major_version", "minor_version"]
    # There is no add or edit form; Wagtail still wants to know the fields.
    form_fields = ["title"]
    inspect_view_fields = [
        "machine_name",
        "major_version",
        "minor_version",
        "patch_version",
        "title",
        "runnable",
        "storage_path",
        "created_at",
    ]


# Registered at import, before any viewset asks for the policy (Wagtail would make a fallback).
register_permission_policy(H5PLibrary, ReadOnlyPermissionPolicy(H5PLibrary))


@hooks.register("register_admin_viewset")
def register_h5p_library_viewset():
    return H5PLibraryViewSet()
