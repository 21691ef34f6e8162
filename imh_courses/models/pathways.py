"""Pathways: an ordered set of courses for a role, reusing courses across pathways."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from imh_accounts.choices import ProfessionalRole


class Pathway(index.Indexed, ClusterableModel):
    """For example "Health visitor IMH pathway": complete when all its courses are."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(max_length=600, blank=True)
    role = models.CharField(
        max_length=40,
        choices=ProfessionalRole.choices,
        blank=True,
        help_text=_("The professional role this pathway is for, if any."),
    )
    is_active = models.BooleanField(default=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldPanel("role"),
        FieldPanel("is_active"),
        InlinePanel("pathway_courses", label=_("Courses, in order"), min_num=1),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("summary")]

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PathwayCourse(Orderable):
    pathway = ParentalKey(Pathway, on_delete=models.CASCADE, related_name="pathway_courses")
    course = models.ForeignKey(
        "imh_courses.CoursePage", on_delete=models.CASCADE, related_name="pathway_links"
    )

    panels = [FieldPanel("course")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "course"], name="courses_pathway_course_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} - {self.course}"


class PathwayCompletion(models.Model):
    """The moment a person had completed every course of a pathway (recorded once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_completions"
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pathway"], name="courses_pathway_completed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.pathway}"
