"""Content blocks: the NHS.UK set shared by every page body, and the lesson body's own.

The site's home and standard pages (in cms) use ``content_blocks()`` too; they live here
because cms may import imh_courses but courses must work without cms.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtailnhsukfrontend import blocks as nhsuk

_RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    """A section heading at a chosen level, so the page outline stays correct."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Heading 2"), ("h3", "Heading 3"), ("h4", "Heading 4")],
        default="h2",
        help_text=_("Use heading 2 for main sections and 3 or 4 inside them."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "imh_courses/blocks/heading.html"
        preview_value = {"text": "What infant mental health means", "level": "h2"}
        description = _("A section heading")


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "imh_courses/blocks/rich_text.html"
        preview_value = (
            "<p>Infant mental health is the social and emotional wellbeing of babies and "
            "young children, shaped by their earliest relationships.</p>"
        )
        description = _("Paragraphs, lists and links")


def content_blocks() -> list[tuple[str, blocks.Block]]:
    """The body blocks every content page offers; course pages extend this list."""
    return [
        ("heading", HeadingBlock()),
        ("text", RichTextBlock(features=_RICH_TEXT_FEATURES)),
        (
            "inset_text",
            nhsuk.InsetTextBlock(
                label=_("Inset text"),
                description=_("Text set apart from the content around it"),
                preview_value={
                    "body": "<p>Babies learn about the world through relationships.</p>"
                },
            ),
        ),
        (
            "warning_callout",
            nhsuk.WarningCalloutBlock(
                label=_("Warning callout"),
                description=_("Something the reader must not miss"),
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
                label=_("Details"),
                description=_("A short expandable section"),
                preview_value={
                    "title": "What does attunement mean?",
                    "body": [("richtext", "<p>Noticing and responding to a baby's signals.</p>")],
                },
            ),
        ),
        (
            "action_link",
            nhsuk.ActionLinkBlock(
                label=_("Action link"),
                description=_("A prominent link to the next step"),
                preview_value={"text": "Find a course", "external_url": "https://example.org/"},
            ),
        ),
        (
            "do_list",
            nhsuk.DoBlock(
                label=_("Do list"),
                description=_("Things to do"),
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
                label=_("Don't list"),
                description=_("Things to avoid"),
                preview_value={"heading_level": 3, "label": "", "dont": ["<p>Rush a feed</p>"]},
            ),
        ),
        (
            "card_group",
            nhsuk.CardGroupBlock(
                label=_("Cards"),
                description=_("A row of cards linking onwards"),
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
                label=_("Care card"),
                description=_("Urgent or non-urgent care advice"),
                preview_value={
                    "type": "primary",
                    "heading_level": 3,
                    "title": "Worried about a parent's mental health?",
                    "body": [("richtext", "<p>Talk to the perinatal mental health team.</p>")],
                },
            ),
        ),
    ]


VIDEO_FILE_EXTENSIONS = (".mp4", ".webm")
CAPTION_FILE_EXTENSIONS = (".vtt",)

_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")


def video_embed_src(url: str) -> str | None:
    """The player address for a YouTube or Vimeo link, or ``None`` for anything else.

    Videos play from youtube-nocookie.com or player.vimeo.com with Vimeo's do-not-track
    flag, the only video hosts the site's Content Security Policy lets pages frame, so a
    trainee's watching sets no tracking cookies.
    """
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in _YOUTUBE_HOSTS:
        if host == "youtu.be":
            video_id = segments[0] if segments else ""
        elif segments[:1] == ["watch"]:
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video_id = segments[1]
        else:
            video_id = ""
        if _YOUTUBE_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}?rel=0"
        return None
    if host in _VIMEO_HOSTS:
        if host == "player.vimeo.com":
            segments = segments[1:] if segments[:1] == ["video"] else []
            private_hash = parse_qs(parts.query).get("h", [""])[0]
        else:
            # vimeo.com/123, vimeo.com/123/abcdef (unlisted), vimeo.com/channels/x/123
            numeric = [index for index, segment in enumerate(segments) if _VIMEO_ID.match(segment)]
            segments = segments[numeric[0] :] if numeric else []
            private_hash = segments[1] if len(segments) > 1 else ""
        video_id = segments[0] if segments else ""
        if not _VIMEO_ID.match(video_id):
            return None
        src = f"https://player.vimeo.com/video/{video_id}?dnt=1"
        if _VIMEO_HASH.match(private_hash):
            src += f"&h={private_hash}"
        return src
    return None


def _first_image():
    """The library's first image, so the block picker can show a real picture if there is one."""
    from wagtail.images import get_image_model

    return get_image_model().objects.order_by("pk").first()


def _first_document():
    from wagtail.documents import get_document_model

    return get_document_model().objects.order_by("pk").first()


class ImageBlock(blocks.StructBlock):
    """An image that always carries a text alternative."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "imh_courses/blocks/image.html"
        description = _("A picture with a text alternative and an optional caption")
        preview_value = {
            "image": _first_image,
            "alt_text": "A father holding his baby close and smiling at her",
            "caption": "Babies learn that they matter from the faces that respond to them.",
        }

    def get_preview_value(self):
        value = dict(self.meta.preview_value)
        value["image"] = value["image"]()
        return self.normalize(value)


class VideoBlock(blocks.StructBlock):
    """A video from an embed URL or an uploaded file, with captions and a transcript."""

    title = blocks.CharBlock(max_length=200)
    embed_url = blocks.URLBlock(
        required=False,
        help_text=_("A YouTube or Vimeo link. Leave empty if you upload a file instead."),
    )
    video_file = DocumentChooserBlock(
        required=False,
        help_text=_("An uploaded MP4 or WebM file, used when there is no embed link."),
    )
    captions = DocumentChooserBlock(
        required=False,
        help_text=_("A WebVTT (.vtt) captions file. Required for uploaded videos."),
    )
    transcript = blocks.RichTextBlock(
        features=["bold", "italic", "ol", "ul", "link"],
        help_text=_("Everything said and shown in the video, for people who cannot watch it."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "imh_courses/blocks/video.html"
        description = _("A video with captions and a transcript")
        preview_value = {
            "title": "Serve and return",
            "embed_url": "https://www.youtube-nocookie.com/embed/M-ELNsiqSos",
            "transcript": "<p>A baby babbles and the parent babbles back.</p>",
        }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["embed_src"] = video_embed_src(value.get("embed_url") or "")
        return context

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        has_embed, has_file = bool(value.get("embed_url")), bool(value.get("video_file"))
        if has_embed == has_file:
            message = ValidationError(_("Give either an embed link or an uploaded file, not both."))
            errors["embed_url"] = message
            errors["video_file"] = message
        elif has_embed and video_embed_src(value["embed_url"]) is None:
            errors["embed_url"] = ValidationError(
                _(
                    "Use a YouTube or Vimeo video link, such as "
                    "https://www.youtube.com/watch?v=... or https://vimeo.com/123456789."
                )
            )
        video = value.get("video_file")
        if video and not video.file.name.lower().endswith(VIDEO_FILE_EXTENSIONS):
            errors["video_file"] = ValidationError(_("Upload the video as an MP4 or WebM file."))
        captions = value.get("captions")
        if has_file and not captions:
            errors["captions"] = ValidationError(_("Uploaded videos need a captions file."))
        if captions and not captions.file.name.lower().endswith(CAPTION_FILE_EXTENSIONS):
            errors["captions"] = ValidationError(_("Captions must be a WebVTT (.vtt) file."))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class KeyPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Key points", max_length=100)
    points = blocks.ListBlock(blocks.CharBlock(max_length=300), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "imh_courses/blocks/key_points.html"
        description = _("A short summary of what to remember")
        preview_value = {
            "heading": "Key points",
            "points": [
                "Babies communicate from birth.",
                "Responsive care builds secure attachment.",
            ],
        }


class ReflectionBlock(blocks.StructBlock):
    """A prompt the trainee answers privately; answers feed their CPD portfolio."""

    prompt = blocks.TextBlock(max_length=600)
    guidance = blocks.TextBlock(
        required=False,
        max_length=600,
        help_text=_("Optional hints on what to think about."),
    )

    class Meta:
        icon = "edit"
        label = _("Reflection prompt")
        template = "imh_courses/blocks/reflection.html"
        description = _("A question the trainee answers privately, kept for their CPD portfolio")
        preview_value = {
            "prompt": "Think of a baby you have worked with recently. How did they show you "
            "what they needed?",
            "guidance": "",
        }


class ResourceBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(
        required=False, max_length=200, help_text=_("Defaults to the document's title.")
    )
    description = blocks.TextBlock(required=False, max_length=400)

    class Meta:
        icon = "doc-full"
        label = _("Downloadable resource")
        template = "imh_courses/blocks/resource.html"
        description = _("A handout, leaflet or worksheet to download")
        preview_value = {
            "document": _first_document,
            "title": "Serve and return: a handout for parents",
            "description": "Five everyday ways to respond to a baby's cues, to print or share.",
        }

    def get_preview_value(self):
        value = dict(self.meta.preview_value)
        value["document"] = value["document"]()
        return self.normalize(value)


class SensitiveContentBlock(blocks.StructBlock):
    """Warns before difficult material and says where to get support."""

    heading = blocks.CharBlock(
        default="This section discusses difficult experiences", max_length=150
    )
    message = blocks.RichTextBlock(features=["bold", "italic", "link"])
    signposting = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul"],
        help_text=_("Where to get support: your supervisor, employee assistance, helplines."),
    )

    class Meta:
        icon = "warning"
        label = _("Sensitive content notice")
        template = "imh_courses/blocks/sensitive_content.html"
        description = _("A warning before difficult material, with where to get support")
        preview_value = {
            "heading": "This section discusses perinatal loss",
            "message": "<p>Some of the stories here may be upsetting.</p>",
            "signposting": "<p>Talk to your supervisor, or call Samaritans on 116 123.</p>",
        }


def lesson_blocks() -> list[tuple[str, blocks.Block]]:
    """Lesson body blocks, the assessments app's quiz and H5P blocks among them."""
    from imh_assessments.blocks import activity_blocks

    shared = dict(content_blocks())
    return [
        ("heading", shared["heading"]),
        ("text", shared["text"]),
        ("image", ImageBlock()),
        ("video", VideoBlock()),
        ("key_points", KeyPointsBlock()),
        ("reflection", ReflectionBlock()),
        ("resource", ResourceBlock()),
        ("sensitive_content", SensitiveContentBlock()),
        ("inset_text", shared["inset_text"]),
        ("warning_callout", shared["warning_callout"]),
        ("details", shared["details"]),
        ("do_list", shared["do_list"]),
        ("dont_list", shared["dont_list"]),
        ("care_card", shared["care_card"]),
        *activity_blocks(),
    ]


class LessonStreamBlock(blocks.StreamBlock):
    def __init__(self, local_blocks=None, **kwargs):
        super().__init__(local_blocks=lesson_blocks() + list(local_blocks or []), **kwargs)
