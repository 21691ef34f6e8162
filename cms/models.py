"""Site-wide settings and the reference site's own pages (home and standard pages)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import ContentStreamBlock


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """The platform's identity: its name, support contact and logo."""

    platform_name = models.CharField(
        max_length=80,
        default="IMH Learning",
        help_text="Shown in the header, page titles and emails.",
    )
    support_email = models.EmailField(
        blank=True,
        help_text="Where trainees and managers can ask for help. Shown in the footer.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown in the header instead of the platform name. Keep it under 80px tall.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("platform_name"), FieldPanel("support_email"), FieldPanel("logo")],
            heading="Identity",
        ),
    ]

    class Meta:
        verbose_name = "Site settings"

    def __str__(self) -> str:
        return self.platform_name

    @property
    def support_email_or_default(self) -> str:
        return self.support_email or settings.IMH_SUPPORT_EMAIL_DEFAULT


class HomePage(Page):
    """The site's front page: a hero and a flexible body."""

    hero_heading = models.CharField(max_length=120, blank=True)
    hero_text = models.CharField(
        max_length=255,
        blank=True,
        help_text="One or two sentences under the heading. Leave empty for no hero.",
    )
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hero_heading"), FieldPanel("hero_text")], heading="Hero"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("hero_text"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StandardPage", "imh_courses.CourseIndexPage"]
    max_count_per_parent = 1
    template = "cms/pages/home_page.html"

    class Meta:
        verbose_name = "home page"


class StandardPage(Page):
    """An information page: about, privacy, accessibility, help."""

    introduction = models.CharField(max_length=255, blank=True)
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    template = "cms/pages/standard_page.html"

    class Meta:
        verbose_name = "standard page"
