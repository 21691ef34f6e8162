"""Synthetic video clips for the demo and the tests: no real family is ever filmed or shown.

``synthetic_clip_webm`` draws a few seconds of simple shapes, an adult and a baby that move
towards and away from each other, under a large caption saying that the clip is synthetic,
and encodes them as a small WebM (VP8) file. The same seed always gives the same bytes, so
the demo loader can tell whether a stored clip is still the one it made.

Encoding needs PyAV (the ``av`` package, in the ``dev`` extra). It is imported only when a
clip is made; without it ``SyntheticClipUnavailable`` says what to install.
"""

from __future__ import annotations

import io
import math
import random
from fractions import Fraction

from django.utils.translation import gettext as _

WIDTH = 320
HEIGHT = 240
FPS = 10
CONTENT_TYPE = "video/webm"
# What every synthetic clip says on screen, in every language: the clip is shown as it is.
CAPTION_LINES = ("SYNTHETIC DEMO CLIP", "\u2013 not a real family")
MAX_SECONDS = 30


class SyntheticClipUnavailable(RuntimeError):
    """PyAV (or its VP8 encoder) is missing, so synthetic clips cannot be made here."""


def synthetic_clips_check() -> None:
    """Raise ``SyntheticClipUnavailable``, saying what to install, if clips cannot be made."""
    _require_av()


def _require_av():
    try:
        import av
    except ImportError as error:
        raise SyntheticClipUnavailable(
            _(
                "Synthetic demo clips need PyAV. Install it with "
                "“pip install 'av>=14'” (or “pip install -e '.[dev]'”) and run this again."
            )
        ) from error
    if "libvpx" not in av.codecs_available:
        raise SyntheticClipUnavailable(
            _("This PyAV build has no VP8 encoder (libvpx), so synthetic clips cannot be made.")
        )
    return av


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType: a small bitmap font
        return ImageFont.load_default()


def _palette(rng: random.Random) -> dict[str, tuple[int, int, int]]:
    backgrounds = [(222, 235, 247), (232, 245, 233), (255, 243, 224), (237, 231, 246)]
    adults = [(0, 94, 184), (0, 114, 80), (120, 40, 140), (174, 37, 115)]
    babies = [(255, 184, 28), (240, 120, 60), (0, 164, 153), (255, 140, 160)]
    return {
        "background": rng.choice(backgrounds),
        "adult": rng.choice(adults),
        "baby": rng.choice(babies),
        "floor": (190, 190, 190),
    }


def _frame(index: int, *, rng_values: dict, palette: dict, fonts: tuple):
    """One frame (a Pillow RGB image) of the clip."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), palette["background"])
    draw = ImageDraw.Draw(image)
    t = index / FPS
    phase, lean, bounce, reach = (
        rng_values["phase"],
        rng_values["lean"],
        rng_values["bounce"],
        rng_values["reach"],
    )
    floor_y = 205
    draw.rectangle((0, floor_y, WIDTH, HEIGHT), fill=palette["floor"])

    # The adult: leans towards the baby and back, as in a turn of a conversation.
    sway = lean * math.sin(2 * math.pi * 0.5 * t + phase)
    adult_x = 105 + sway
    draw.rounded_rectangle(
        (adult_x - 28, 110, adult_x + 28, floor_y), radius=18, fill=palette["adult"]
    )
    draw.ellipse((adult_x - 22 + sway / 3, 62, adult_x + 22 + sway / 3, 106), fill=palette["adult"])
    # Arm reaching out.
    arm_end = (adult_x + 40 + reach * (1 + math.sin(2 * math.pi * 0.5 * t + phase)), 150)
    draw.line((adult_x + 18, 130, *arm_end), fill=palette["adult"], width=9)

    # The baby: bobs and waves.
    baby_x = 215 - sway / 2
    hop = bounce * abs(math.sin(2 * math.pi * 0.75 * t + phase / 2))
    draw.ellipse((baby_x - 26, 160 - hop, baby_x + 26, floor_y - hop / 2), fill=palette["baby"])
    draw.ellipse((baby_x - 17, 124 - hop, baby_x + 17, 158 - hop), fill=palette["baby"])
    wave = math.sin(2 * math.pi * 1.0 * t + phase)
    draw.line(
        (baby_x - 18, 172 - hop, baby_x - 38, 150 - hop - 14 * wave),
        fill=palette["baby"],
        width=7,
    )

    # The caption: large, on a dark band, in every frame.
    big, small = fonts
    draw.rectangle((0, 0, WIDTH, 52), fill=(33, 43, 50))
    draw.text((WIDTH / 2, 4), CAPTION_LINES[0], fill=(255, 255, 255), font=big, anchor="ma")
    draw.text((WIDTH / 2, 30), CAPTION_LINES[1], fill=(255, 235, 59), font=small, anchor="ma")
    return image


def synthetic_clip_webm(*, seed: int, seconds: int = 4) -> bytes:
    """A WebM (VP8, 320 by 240 pixels, 10 frames a second, no sound) of ``seconds`` of
    synthetic shapes.

    The same ``seed`` and ``seconds`` always give the same bytes; different seeds give
    different colours and movement. A four-second clip is well under 200 kB.
    """
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be between 1 and {MAX_SECONDS}")
    av = _require_av()
    rng = random.Random(seed)  # noqa: S311 (drawing, not security)
    palette = _palette(rng)
    rng_values = {
        "phase": rng.uniform(0, 2 * math.pi),
        "lean": rng.uniform(8, 22),
        "bounce": rng.uniform(4, 16),
        "reach": rng.uniform(4, 14),
    }
    fonts = (_font(22), _font(17))

    buffer = io.BytesIO()
    # "bitexact" leaves out what would differ between runs (the segment id, the encoder's
    # version string), so equal seeds give equal files.
    container = av.open(buffer, mode="w", format="webm", options={"fflags": "+bitexact"})
    try:
        stream = container.add_stream("libvpx", rate=FPS)
        stream.width = WIDTH
        stream.height = HEIGHT
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.codec_context.options = {
            "b": "200k",
            "threads": "1",
            "deadline": "good",
            "cpu-used": "4",
            "auto-alt-ref": "0",
            "lag-in-frames": "0",
        }
        stream.codec_context.flags |= getattr(av.codec.context.Flags, "BITEXACT", 0)
        for index in range(seconds * FPS):
            image = _frame(index, rng_values=rng_values, palette=palette, fonts=fonts)
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    finally:
        container.close()
    return buffer.getvalue()
