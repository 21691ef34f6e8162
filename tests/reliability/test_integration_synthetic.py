"""Synthetic demo clips: small, deterministic WebM (VP8) files made without any real footage."""

from __future__ import annotations

import io
import sys

import av
import pytest

from imh_reliability import synthetic
from imh_reliability.synthetic import SyntheticClipUnavailable, synthetic_clip_webm

WEBM_SIGNATURE = b"\x1a\x45\xdf\xa3"


def test_a_clip_is_a_small_webm_of_the_length_asked():
    data = synthetic_clip_webm(seed=7, seconds=3)
    assert data.startswith(WEBM_SIGNATURE)
    assert b"webm" in data[:64]
    assert len(data) < 200_000
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "vp8"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)
        frames = list(container.decode(video=0))
    assert len(frames) == 3 * synthetic.FPS


def test_the_same_seed_gives_the_same_bytes_and_seeds_differ():
    assert synthetic_clip_webm(seed=1) == synthetic_clip_webm(seed=1)
    assert synthetic_clip_webm(seed=1) != synthetic_clip_webm(seed=2)


def test_the_frames_carry_the_synthetic_caption_band_and_move():
    data = synthetic_clip_webm(seed=3, seconds=2)
    with av.open(io.BytesIO(data)) as container:
        images = [frame.to_image() for frame in container.decode(video=0)]
    first, middle = images[0], images[len(images) // 2]
    # The caption band across the top is dark with light lettering in every frame.
    band = first.crop((0, 0, synthetic.WIDTH, 50)).convert("L")
    assert min(band.tobytes()) < 80  # one byte per pixel in "L" mode
    assert max(band.tobytes()) > 200
    # The figures move between frames.
    body = (0, 60, synthetic.WIDTH, synthetic.HEIGHT)
    moved = sum(
        abs(a - b)
        for a, b in zip(
            first.crop(body).convert("L").tobytes(),
            middle.crop(body).convert("L").tobytes(),
            strict=True,
        )
    )
    assert moved > 10_000


@pytest.mark.parametrize("seconds", [0, synthetic.MAX_SECONDS + 1])
def test_lengths_out_of_range_are_refused(seconds):
    with pytest.raises(ValueError, match="seconds"):
        synthetic_clip_webm(seed=1, seconds=seconds)


def test_without_pyav_it_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(SyntheticClipUnavailable, match="pip install"):
        synthetic_clip_webm(seed=1)
