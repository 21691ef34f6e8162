"""The courses area's page tree: CourseIndexPage > CoursePage > ModulePage > LessonPage."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from imh_accounts.choices import ProfessionalRole
from imh_core.conf import imh_setting
from imh_courses.blocks import LessonStreamBlock


def competency_panel() -> InlinePanel:
    """Map the page to competencies (``imh_competencies.models.PageCompetency``) at a level."""
    from imh_courses.forms import CompetencySelect

    return InlinePanel(
        "competency_mappings",
        heading=_("Competencies"),
        label=_("Competency"),
        panels=[
            FieldPanel("competency", widget=CompetencySelect),
            FieldPanel(
                "level",
                help_text=_(
                    "The level this page develops the competency to: 1 is the "
                    "framework's first level."
                ),
            ),
        ],
    )


# Set by CourseIndexPage.route on the page it finds; read by imh_courses.selectors.pages.
ROUTE_ANCESTORS_ATTR = "_courses_route_ancestors"


class CourseIndexPage(Page):
    """The courses area: lists the courses beneath it. Educators have page rights here."""

    introduction = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    # Any page may hold a courses area unless the site narrows it down.
    parent_page_types = imh_setting("IMH_COURSE_INDEX_PARENT_PAGE_TYPES")
    subpage_types = ["imh_courses.CoursePage"]
    template = "imh_courses/course_index_page.html"

    class Meta:
        verbose_name = _("course index page")

    def route(self, request, path_components):
        """Find a course, module or lesson in one query rather than two for every level.

        Below a courses area the tree is strictly Course > Module > Lesson, so a URL's length
        says which type it names. Anything else (another page type, a sub-route) falls back
        to Wagtail's walk down the tree; the page's own ``route`` still decides on ``live``.
        """
        depth = len(path_components)
        if 1 <= depth <= 3:
            model = (CoursePage, ModulePage, LessonPage)[depth - 1]
            page = model.objects.filter(
                path__startswith=self.path,
                depth=self.depth + depth,
                slug=path_components[-1],
                url_path=self.url_path + "/".join(path_components) + "/",
            ).first()
            if page is not None:
                # The pages routing came through, for breadcrumbs that need no query.
                setattr(page, ROUTE_ANCESTORS_ATTR, self._routed_ancestors())
                return page.route(request, [])
        return super().route(request, path_components)

    def _routed_ancestors(self) -> list[Page]:
        """This page and those above it that routing passed through, from the site root.

        Wagtail's routing leaves each page's parent on it (``_cached_parent_obj``), so this
        asks the database nothing.
        """
        chain: list[Page] = []
        page: Page | None = self
        while page is not None:
            chain.append(page)
            page = page.__dict__.get("_cached_parent_obj")
        return chain[::-1]

    def get_context(self, request, *args, **kwargs):
        from imh_courses.selectors.pages import courses_listed

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = courses_listed(index=self)
        return context


class IMHLevel(models.IntegerChoices):
    """The AiMH UK framework's three levels of practice."""

    LEVEL_1 = 1, _("Level 1: universal (all who work with babies)")
    LEVEL_2 = 2, _("Level 2: targeted (practitioners who support families)")
    LEVEL_3 = 3, _("Level 3: specialist (infant mental health specialists)")


class RoleListField(models.JSONField):
    """A list of professional roles, edited as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=ProfessionalRole.choices,
            required=not self.blank,
            label=kwargs.get("label", self.verbose_name.capitalize()),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        unknown = set(value or []) - set(ProfessionalRole.values)
        if unknown:
            raise ValidationError(
                _("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}
            )


class CoursePage(Page):
    """A course: modules of lessons, live sessions, and the rule that says when it is done."""

    summary = models.TextField(
        max_length=600,
        help_text=_(
            "Two or three sentences on what the course covers and who it is for. "
            "Shown in course lists and on certificates' verification pages."
        ),
    )
    audience_roles = RoleListField(
        help_text=_("Who the course is written for. Leave empty for everyone.")
    )
    imh_level = models.PositiveSmallIntegerField(
        _("IMH level"),
        choices=IMHLevel.choices,
        default=IMHLevel.LEVEL_1,
        help_text=_("The level of practice this course trains for."),
    )
    cpd_hours = models.DecimalField(
        _("CPD hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Hours of continuing professional development the certificate states."),
    )
    estimated_hours = models.DecimalField(
        _("estimated duration (hours)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("How long a trainee should expect to spend, live sessions included."),
    )
    mandatory_for_roles = RoleListField(
        help_text=_("Roles for whom this course is mandatory training.")
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "For refresher training: months until the certificate expires and the "
            "course must be taken again. Leave empty if it never expires."
        ),
    )
    prerequisites = ParentalManyToManyField(
        "imh_courses.CoursePage",
        blank=True,
        related_name="required_by",
        help_text=_("Courses a trainee must have completed before they can enrol."),
    )
    self_enrolment = models.BooleanField(
        default=True,
        help_text=_(
            "Let trainees enrol themselves. Otherwise only managers and educators can "
            "assign the course."
        ),
    )
    # The completion rule: every required lesson, every required assessment passed, and this
    # many live sessions attended.
    require_all_lessons = models.BooleanField(
        _("all required lessons"),
        default=True,
        help_text=_("Trainees must complete every lesson marked as required."),
    )
    require_assessments = models.BooleanField(
        _("required assessments passed"),
        default=True,
        help_text=_("Trainees must pass every quiz and activity marked as required."),
    )
    required_live_sessions = models.PositiveSmallIntegerField(
        _("live sessions to attend"),
        default=0,
        validators=[MaxValueValidator(20)],
        help_text=_("How many of the course's live sessions a trainee must attend in full."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("imh_level"), FieldPanel("cpd_hours")]),
                FieldPanel("estimated_hours"),
                FieldPanel("audience_roles"),
            ],
            heading=_("Level, hours and audience"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("self_enrolment"),
                FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
                FieldPanel("mandatory_for_roles"),
                FieldPanel("certificate_validity_months"),
            ],
            heading=_("Enrolment and certificates"),
        ),
        MultiFieldPanel(
            [
                HelpPanel(
                    _(
                        "A trainee completes the course when all of the following hold. Mark "
                        "lessons as required on each lesson page."
                    )
                ),
                FieldPanel("require_all_lessons"),
                FieldPanel("require_assessments"),
                FieldPanel("required_live_sessions"),
            ],
            heading=_("Completion rule"),
        ),
        competency_panel(),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    parent_page_types = ["imh_courses.CourseIndexPage"]
    subpage_types = ["imh_courses.ModulePage"]
    template = "imh_courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        constraints = [
            models.CheckConstraint(
                name="courses_course_cpd_hours_positive", condition=Q(cpd_hours__gt=0)
            ),
            models.CheckConstraint(
                name="courses_course_level_1_to_3", condition=Q(imh_level__gte=1, imh_level__lte=3)
            ),
            models.CheckConstraint(
                name="courses_course_validity_positive",
                condition=Q(certificate_validity_months__isnull=True)
                | Q(certificate_validity_months__gte=1),
            ),
        ]

    def audience_role_labels(self) -> list[str]:
        labels = dict(ProfessionalRole.choices)
        return [labels.get(role, role) for role in self.audience_roles]

    def mandatory_role_labels(self) -> list[str]:
        labels = dict(ProfessionalRole.choices)
        return [labels.get(role, role) for role in self.mandatory_for_roles]

    def get_context(self, request, *args, **kwargs):
        from imh_courses.selectors.pages import course_page_state

        context = super().get_context(request, *args, **kwargs)
        context.update(course_page_state(course=self, request=request))
        return context


class ModulePage(Page):
    """A module: a group of lessons within a course."""

    summary = models.TextField(
        max_length=400, blank=True, help_text=_("One or two sentences on what this module covers.")
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), competency_panel()]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    parent_page_types = ["imh_courses.CoursePage"]
    subpage_types = ["imh_courses.LessonPage"]
    template = "imh_courses/module_page.html"

    class Meta:
        verbose_name = _("module")

    def get_context(self, request, *args, **kwargs):
        from imh_courses.selectors.pages import module_page_state

        context = super().get_context(request, *args, **kwargs)
        context.update(module_page_state(module=self, request=request))
        return context


class LessonPage(Page):
    """A lesson: the teaching itself. Only enrolled trainees see its body."""

    body = StreamField(LessonStreamBlock(), blank=True)
    required = models.BooleanField(
        default=True,
        help_text=_("Required lessons count towards completing the course."),
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("How long the lesson takes, in minutes."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("required"), FieldPanel("estimated_minutes")]),
        FieldPanel("body"),
        competency_panel(),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["imh_courses.ModulePage"]
    subpage_types: list[str] = []
    template = "imh_courses/lesson_page.html"

    # Educators preview a lesson as a trainee enrolled on the course, and as anyone else.
    preview_modes = [("", _("Enrolled trainee")), ("not_enrolled", _("Not enrolled"))]
    default_preview_mode = ""

    class Meta:
        verbose_name = _("lesson")
        constraints = [
            models.CheckConstraint(
                name="courses_lesson_minutes_positive", condition=Q(estimated_minutes__gte=1)
            ),
        ]

    def get_context(self, request, *args, **kwargs):
        from imh_courses.selectors.pages import lesson_page_state

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_page_state(lesson=self, request=request))
        return context

    def serve(self, request, *args, **kwargs):
        """Show the lesson, and remember it as the enrolment's place to continue from."""
        response = super().serve(request, *args, **kwargs)
        enrolment = response.context_data.get("enrolment")
        # Reading the same lesson again (a reload, a return) changes nothing: no write.
        if (
            enrolment is not None
            and enrolment.status == enrolment.Status.ACTIVE
            and enrolment.last_lesson_id != self.pk
        ):
            from imh_courses.services.learning import lesson_visit

            lesson_visit(user=request.user, lesson=self, enrolment=enrolment)
        return response
