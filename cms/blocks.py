"""StreamField blocks shared by the site's pages, built on the NHS.UK design-system blocks."""

from __future__ import annotations

from wagtail import blocks
from wagtailnhsukfrontend import blocks as nhsuk

_RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    """A section heading at a chosen level, so the page outline stays correct."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Heading 2"), ("h3", "Heading 3"), ("h4", "Heading 4")],
        default="h2",
        help_text="Use heading 2 for main sections and 3 or 4 inside them.",
    )

    class Meta:
        icon = "title"
        label = "Heading"
        template = "cms/blocks/heading.html"
        preview_value = {"text": "What infant mental health means", "level": "h2"}
        description = "A section heading"


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = "Text"
        template = "cms/blocks/rich_text.html"
        preview_value = (
            "<p>Infant mental health is the social and emotional wellbeing of babies and "
            "young children, shaped by their earliest relationships.</p>"
        )
        description = "Paragraphs, lists and links"


def content_blocks() -> list[tuple[str, blocks.Block]]:
    """The body blocks every content page offers; course pages extend this list."""
    return [
        ("heading", HeadingBlock()),
        ("text", RichTextBlock(features=_RICH_TEXT_FEATURES)),
        (
            "inset_text",
            nhsuk.InsetTextBlock(
                label="Inset text",
                description="Text set apart from the content around it",
                preview_value={
                    "body": "<p>Babies learn about the world through relationships.</p>"
                },
            ),
        ),
        (
            "warning_callout",
            nhsuk.WarningCalloutBlock(
                label="Warning callout",
                description="Something the reader must not miss",
                preview_value={
                    "title": "Important",
                    "heading_level": 3,
                    "body": "<p>If a baby is at risk of harm, follow your safeguarding policy.</p>",
                },
            ),
        ),
        (
            "details",
            nhsuk.DetailsBlock(
                label="Details",
                description="A short expandable section",
                preview_value={
                    "title": "What does attunement mean?",
                    "body": [("richtext", "<p>Noticing and responding to a baby's signals.</p>")],
                },
            ),
        ),
        (
            "action_link",
            nhsuk.ActionLinkBlock(
                label="Action link",
                description="A prominent link to the next step",
                preview_value={"text": "Find a course", "external_url": "https://example.org/"},
            ),
        ),
        (
            "do_list",
            nhsuk.DoBlock(
                label="Do list",
                description="Things to do",
                preview_value={
                    "heading_level": 3,
                    "label": "",
                    "do": ["<p>Follow the baby's cues</p>"],
                },
            ),
        ),
        (
            "dont_list",
            nhsuk.DontBlock(
                label="Don't list",
                description="Things to avoid",
                preview_value={"heading_level": 3, "label": "", "dont": ["<p>Rush a feed</p>"]},
            ),
        ),
        (
            "card_group",
            nhsuk.CardGroupBlock(
                label="Cards",
                description="A row of cards linking onwards",
                preview_value={
                    "column": "one-half",
                    "body": [
                        (
                            "card_basic",
                            {
                                "heading": "Online lessons",
                                "heading_level": 3,
                                "body": "<p>Learn at your own pace.</p>",
                            },
                        ),
                        (
                            "card_basic",
                            {
                                "heading": "Live sessions",
                                "heading_level": 3,
                                "body": "<p>Practise with others.</p>",
                            },
                        ),
                    ],
                },
            ),
        ),
        (
            "care_card",
            nhsuk.CareCardBlock(
                label="Care card",
                description="Urgent or non-urgent care advice",
                preview_value={
                    "type": "primary",
                    "heading_level": 3,
                    "title": "Worried about a parent's mental health?",
                    "body": [("richtext", "<p>Talk to the perinatal mental health team.</p>")],
                },
            ),
        ),
    ]


class ContentStreamBlock(blocks.StreamBlock):
    """The body of home and standard pages."""

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__(local_blocks=content_blocks() + list(local_blocks or []), **kwargs)
