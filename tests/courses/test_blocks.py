"""Lesson body blocks: previews for the block picker, and the HTML each one renders."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.blocks import StreamValue, StructBlock, StructBlockValidationError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from imh_courses.blocks import (
    ImageBlock,
    KeyPointsBlock,
    LessonStreamBlock,
    ReflectionBlock,
    ResourceBlock,
    SensitiveContentBlock,
    VideoBlock,
    video_embed_src,
)

Document = get_document_model()
Image = get_image_model()


def _document(name: str, content: bytes = b"0123456789", title: str = "Handout"):
    return Document.objects.create(title=title, file=ContentFile(content, name=name))


@pytest.fixture
def image():
    return Image.objects.create(title="A father and baby", file=get_test_image_file())


# Previews in the block picker.


def _check_previews():
    for name, block in LessonStreamBlock().child_blocks.items():
        assert block.meta.icon, name
        assert block.meta.label, name
        if isinstance(block, StructBlock):
            assert (
                getattr(block.meta, "preview_value", None) is not None
                or type(block).get_preview_value is not StructBlock.get_preview_value
            ), f"{name} has no preview value"
        html = block.render(block.get_preview_value())
        assert html.strip(), name


@pytest.mark.django_db
def test_every_lesson_block_renders_its_preview_with_an_empty_library():
    _check_previews()


@pytest.mark.django_db
def test_every_lesson_block_renders_its_preview_with_pictures_and_documents(image):
    _document("handout.pdf")
    _check_previews()
    html = ImageBlock().render(ImageBlock().get_preview_value())
    assert "<img" in html


# Images.


@pytest.mark.django_db
def test_image_has_its_text_alternative_and_caption_in_a_figure(image):
    block = ImageBlock()
    html = block.render(
        block.to_python(
            {"image": image.pk, "alt_text": "A father holding his baby", "caption": "Skin to skin"}
        )
    )
    assert html.strip().startswith("<figure")
    assert 'alt="A father holding his baby"' in html
    assert 'loading="lazy"' in html
    assert '<figcaption class="nhsuk-image__caption">Skin to skin</figcaption>' in html


# Videos.


@pytest.mark.parametrize(
    ("url", "src"),
    [
        (
            "https://www.youtube.com/watch?v=M-ELNsiqSos",
            "https://www.youtube-nocookie.com/embed/M-ELNsiqSos?rel=0",
        ),
        (
            "https://youtu.be/M-ELNsiqSos?t=10",
            "https://www.youtube-nocookie.com/embed/M-ELNsiqSos?rel=0",
        ),
        (
            "https://www.youtube-nocookie.com/embed/M-ELNsiqSos",
            "https://www.youtube-nocookie.com/embed/M-ELNsiqSos?rel=0",
        ),
        (
            "https://www.youtube.com/shorts/M-ELNsiqSos",
            "https://www.youtube-nocookie.com/embed/M-ELNsiqSos?rel=0",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://vimeo.com/76979871/1a2b3c4d5e",
            "https://player.vimeo.com/video/76979871?dnt=1&h=1a2b3c4d5e",
        ),
        (
            "https://player.vimeo.com/video/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        (
            "https://vimeo.com/channels/staffpicks/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        ("https://example.org/watch?v=M-ELNsiqSos", None),
        ("https://www.youtube.com.evil.example/watch?v=M-ELNsiqSos", None),
        ("javascript:alert(1)", None),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://vimeo.com/about", None),
        ("", None),
    ],
)
def test_video_links_play_only_from_the_privacy_enhanced_players(url, src):
    assert video_embed_src(url) == src


def test_embedded_video_is_a_titled_lazy_iframe_with_a_transcript():
    block = VideoBlock()
    value = block.to_python(
        {
            "title": "Serve and return",
            "embed_url": "https://www.youtube.com/watch?v=M-ELNsiqSos",
            "transcript": "<p>A baby babbles and her father babbles back.</p>",
        }
    )
    html = block.render(value)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/M-ELNsiqSos?rel=0"' in html
    assert 'title="Video: Serve and return"' in html
    assert 'loading="lazy"' in html
    assert '<details class="nhsuk-details">' in html
    assert "Video transcript" in html
    assert "A baby babbles and her father babbles back." in html


@pytest.mark.django_db
def test_uploaded_video_plays_with_english_captions_on():
    video = _document("serve-and-return.mp4", title="Serve and return video")
    captions = _document("serve-and-return.vtt", b"WEBVTT\n", title="Captions")
    block = VideoBlock()
    value = block.to_python(
        {
            "title": "Serve and return",
            "video_file": video.pk,
            "captions": captions.pk,
            "transcript": "<p>Everything said.</p>",
        }
    )
    html = block.render(value)
    assert "<video controls" in html
    assert f'<source src="{video.url}" type="video/mp4">' in html
    assert (
        f'<track kind="captions" srclang="en" label="English" src="{captions.url}" default>' in html
    )
    assert "<iframe" not in html
    assert "Everything said." in html


def test_video_links_from_other_sites_are_refused():
    block = VideoBlock()
    value = block.to_python(
        {
            "title": "A video",
            "embed_url": "https://example.org/videos/1",
            "transcript": "<p>Words.</p>",
        }
    )
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert "embed_url" in error.value.block_errors


# Key points, sensitive content and resources.


def test_key_points_are_a_summary_list():
    block = KeyPointsBlock()
    html = block.render(
        block.to_python(
            {"heading": "Remember", "points": ["Babies communicate from birth.", "Repair matters."]}
        )
    )
    assert "nhsuk-card--feature" in html
    assert "Remember</h2>" in html
    assert "<li>Babies communicate from birth.</li>" in html
    assert "<li>Repair matters.</li>" in html


def test_sensitive_content_warns_and_says_where_to_get_support():
    block = SensitiveContentBlock()
    html = block.render(
        block.to_python(
            {
                "heading": "This section discusses perinatal loss",
                "message": "<p>Some stories may be upsetting.</p>",
                "signposting": "<p>Call Samaritans on 116 123.</p>",
            }
        )
    )
    assert 'class="nhsuk-warning-callout' in html
    assert "Important: </span>This section discusses perinatal loss" in html
    assert "Some stories may be upsetting." in html
    assert "Where to get support" in html
    assert "Call Samaritans on 116 123." in html


@pytest.mark.django_db
def test_resource_links_to_the_download_with_its_type_and_size():
    document = _document("attunement-handout.pdf", b"x" * 2048, title="Attunement handout")
    block = ResourceBlock()
    html = block.render(
        block.to_python(
            {"document": document.pk, "title": "", "description": "For parents, to keep."}
        )
    )
    assert f'href="{document.url}"' in html
    assert "Attunement handout" in html
    assert "PDF, 2.0\xa0KB" in html
    assert "For parents, to keep." in html


# Reflections.


def _reflection_html(**context) -> str:
    block = ReflectionBlock()
    value = block.to_python(
        {
            "prompt": "How did the baby show you what they needed?",
            "guidance": "Think about sounds, looks and movements.",
        }
    )
    return block.render(value, context=context or None)


def test_reflection_form_posts_privately_for_enrolled_trainees():
    class Lesson:
        pk = 42

    html = _reflection_html(
        page=Lesson(),
        block_id="abc-123",
        reflections_open=True,
        saved_reflection="She turned away & cried.",
    )
    action = reverse("imh_courses:reflection_save", args=[42, "abc-123"])
    assert f'<form method="post" action="{action}"' in html
    assert '<label class="nhsuk-label nhsuk-label--m" for="reflection-abc-123">' in html
    assert 'name="text"' in html
    assert ">She turned away &amp; cried.</textarea>" in html
    assert "Your answer is private" in html
    assert "Think about sounds, looks and movements." in html
    assert "Update your reflection" in html


def test_reflection_prompt_without_a_form_for_everyone_else():
    html = _reflection_html()
    assert "How did the baby show you what they needed?" in html
    assert "<form" not in html
    assert "<textarea" not in html


def test_lesson_stream_offers_the_lesson_blocks():
    names = set(LessonStreamBlock().child_blocks)
    assert {
        "image",
        "video",
        "key_points",
        "reflection",
        "resource",
        "sensitive_content",
        "text",
        "inset_text",
        "details",
        "do_list",
        "dont_list",
    } <= names
    assert isinstance(LessonStreamBlock().to_python([]), StreamValue)
