"""StreamField blocks of the site's own pages: the shared NHS.UK content blocks."""

from __future__ import annotations

from wagtail import blocks

from imh_courses.blocks import HeadingBlock, RichTextBlock, content_blocks

__all__ = ["ContentStreamBlock", "HeadingBlock", "RichTextBlock", "content_blocks"]


class ContentStreamBlock(blocks.StreamBlock):
    """The body of home and standard pages."""

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__(local_blocks=content_blocks() + list(local_blocks or []), **kwargs)
