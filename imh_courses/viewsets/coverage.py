"""Wagtail admin report: competency coverage of a course, or of every course, by framework.

Who may look: superusers, members of the educators' group, and anyone who may edit a course
page (through Wagtail's page permissions). Trainees cannot reach the admin at all.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies.pages import PagePermissionPolicy

from imh_competencies.models import Framework
from imh_core.spreadsheets import spreadsheet_safe
from imh_courses.models import CoursePage
from imh_courses.selectors.coverage import CoverageMatrix, course_coverage, framework_coverage
from imh_courses.viewsets.learning import user_is_educator

_COVERAGE_CACHE_ATTR = "_courses_can_view_coverage"


def user_can_view_coverage(user: Any) -> bool:
    """Educators, superusers and people who may edit some course page (cached on ``user``)."""
    cached = getattr(user, _COVERAGE_CACHE_ATTR, None)
    if cached is None:
        cached = bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and (
                user.is_superuser
                or user_is_educator(user)
                or PagePermissionPolicy()
                .instances_user_has_permission_for(user, "change")
                .type(CoursePage)
                .exists()
            )
        )
        setattr(user, _COVERAGE_CACHE_ATTR, cached)
    return cached


class CoverageForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        empty_label=None,
        help_text=_("The competencies listed down the side."),
    )
    course = forms.ModelChoiceField(
        queryset=CoursePage.objects.order_by("title"),
        required=False,
        empty_label=_("All courses (summary)"),
        help_text=_("Choose a course to see each of its pages, activities and live sessions."),
    )


class CoverageView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "imh_courses/admin/coverage.html"
    page_title = _("Competency coverage")
    header_icon = "table"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not user_can_view_coverage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        data = request.GET.copy()
        if not data.get("framework"):
            first = Framework.objects.order_by("name", "version").first()
            if first is not None:
                data["framework"] = str(first.pk)
        self.form = CoverageForm(data or None)
        self.matrix: CoverageMatrix | None = None
        self.course: CoursePage | None = None
        if self.form.is_bound and self.form.is_valid():
            framework = self.form.cleaned_data["framework"]
            self.course = self.form.cleaned_data["course"]
            if self.course is not None:
                self.matrix = course_coverage(framework=framework, course=self.course)
            else:
                self.matrix = framework_coverage(framework=framework)
            if request.GET.get("export") == "csv":
                return self.csv_response()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        export_url = ""
        if self.matrix is not None:
            query = self.request.GET.copy()
            query["framework"] = str(self.matrix.framework.pk)
            query["export"] = "csv"
            export_url = f"{reverse('competency_coverage:index')}?{query.urlencode()}"
        context.update(
            {
                "form": self.form,
                "matrix": self.matrix,
                "course": self.course,
                "no_frameworks": not Framework.objects.exists() if self.matrix is None else False,
                "export_url": export_url,
            }
        )
        return context

    def csv_response(self) -> HttpResponse:
        matrix = self.matrix
        name = slugify(f"coverage {matrix.framework} {self.course.title if self.course else ''}")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                spreadsheet_safe(cell)
                for cell in [
                    _("Area"),
                    _("Code"),
                    _("Competency"),
                    _("Covered"),
                    *(
                        f"{column.label} ({column.detail or column.group})"
                        for column in matrix.columns
                    ),
                ]
            ]
        )
        for area in matrix.areas:
            for row in area.rows:
                writer.writerow(
                    [
                        spreadsheet_safe(cell)
                        for cell in [
                            area.area.name,
                            row.competency.code,
                            row.competency.short_name,
                            _("Yes") if row.covered else _("No"),
                            *row.labels,
                        ]
                    ]
                )
        return response


class CoverageMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return user_can_view_coverage(request.user)


class CoverageViewSet(ViewSet):
    name = "competency_coverage"
    url_prefix = "competency-coverage"
    icon = "table"
    menu_label = _("Competency coverage")

    def get_urlpatterns(self):
        return [path("", CoverageView.as_view(), name="index")]


def coverage_menu_item() -> CoverageMenuItem:
    return CoverageMenuItem(
        _("Competency coverage"),
        reverse("competency_coverage:index"),
        name="competency-coverage",
        icon_name="table",
        order=150,
    )


VIEWSETS: list = [CoverageViewSet()]
