"""Course pages. The course index is the root of the courses area that educators edit."""

from __future__ import annotations

from django.conf import settings
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class CourseIndexPage(Page):
    """The courses area: lists the courses beneath it. Educators have page rights here."""

    introduction = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    # A host site names where its courses area may live; the reference site's home page.
    parent_page_types = getattr(
        settings, "IMH_COURSE_INDEX_PARENT_PAGE_TYPES", ["wagtailcore.Page", "cms.HomePage"]
    )
    subpage_types: list[str] = []
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = "course index page"
