"""Two candidate images side by side: sizes, both orders, the letters, the byte budget."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from annotation.media.pairs import (
    BAND,
    GAP,
    PAIR_TARGET_BYTES,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    WIDTH,
    compose_orders,
    compose_pair,
    fitted_sizes,
)
from annotation.media.preparation import MediaRejected, PreparedMedia, prepare_audio, prepare_image
from tests.annotation.media.test_preparation import encode, photo_like, wav

RED, BLUE = (220, 30, 30), (30, 60, 220)


def prepared(width: int, height: int, color: tuple[int, int, int], name: str = "x.png"
             ) -> PreparedMedia:
    return prepare_image(encode(Image.new("RGB", (width, height), color), "PNG"), name)


def opened(media: PreparedMedia) -> Image.Image:
    image = Image.open(io.BytesIO(media.data))
    assert image.format == "JPEG"
    return image.convert("RGB")


def mean_color(image: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    return np.asarray(image.crop(box), dtype=np.float32).reshape(-1, 3).mean(axis=0)


def near(color: np.ndarray, expected: tuple[int, int, int]) -> bool:
    return bool(np.abs(color - np.array(expected)).max() < 12)


def test_both_orders_put_each_candidate_under_its_screen_letter() -> None:
    first, second = prepared(800, 600, RED), prepared(800, 600, BLUE)
    forward, backward = compose_orders(first, second)
    assert forward.key != backward.key and forward.filename != backward.filename
    middle = BAND + 100
    for media, (left, right) in ((forward, (RED, BLUE)), (backward, (BLUE, RED))):
        image = opened(media)
        assert near(mean_color(image, (100, middle, 500, middle + 200)), left)
        assert near(mean_color(image, (PANEL_WIDTH + GAP + 100, middle, WIDTH - 100,
                                       middle + 200)), right)
    # the same pair composed alone in the same order is the same photo
    assert compose_pair(first, second, "pair-ab.jpg").data == forward.data


def test_each_half_is_headed_by_its_letter_on_the_band() -> None:
    image = opened(compose_pair(prepared(400, 400, RED), prepared(400, 400, BLUE)))
    band = np.asarray(image.crop((0, 0, WIDTH, BAND)).convert("L"))
    ink = band > 200
    columns = np.flatnonzero(ink.any(axis=0))
    # white strokes in two groups, each about the middle of its half, and nowhere else
    assert columns.size > 0
    left, right = columns[columns < WIDTH // 2], columns[columns >= WIDTH // 2]
    assert abs(left.mean() - PANEL_WIDTH / 2) < 20
    assert abs(right.mean() - (PANEL_WIDTH + GAP + PANEL_WIDTH / 2)) < 20
    assert np.ptp(left) < BAND and np.ptp(right) < BAND  # one letter each, not a line of text


@pytest.mark.parametrize(("sizes", "expected"), [
    (((1280, 960), (1280, 960)), [(632, 474), (632, 474)]),  # landscape: the width rules
    (((600, 900), (600, 900)), [(632, 948), (632, 948)]),  # 2:3 portrait fills its half
    (((1200, 600), (600, 1200)), [(632, 316), (158, 316)]),  # the same height for both
    (((90, 60), (60, 90)), [(632, 421), (281, 421)]),  # small images are brought up
    (((4000, 50), (50, 4000)), [(632, 8), (1, 8)]),  # extreme shapes still draw
])
def test_both_candidates_are_drawn_at_the_same_height_within_their_halves(
        sizes: tuple[tuple[int, int], ...], expected: list[tuple[int, int]]) -> None:
    fitted = fitted_sizes(sizes)
    assert fitted == expected
    assert all(w <= PANEL_WIDTH and h <= PANEL_HEIGHT for w, h in fitted)


@pytest.mark.parametrize(("first", "second"), [
    ((1280, 960), (1280, 960)), ((427, 640), (640, 427)), ((300, 300), (1280, 200)),
])
def test_the_photo_is_a_phone_wide_jpeg_under_the_budget(
        first: tuple[int, int], second: tuple[int, int]) -> None:
    images = [prepare_image(encode(photo_like(*size, seed=n), "JPEG", quality=95), f"{n}.jpg")
              for n, size in enumerate((first, second))]
    forward, backward = compose_orders(*images)
    for media in (forward, backward):
        image = Image.open(io.BytesIO(media.data))
        height = fitted_sizes([first, second])[0][1]
        assert (image.width, image.height) == (media.width, media.height) == (
            WIDTH, BAND + height)
        assert len(media.data) <= PAIR_TARGET_BYTES
        assert media.send_as == "photo" and media.mime == "image/jpeg"
        assert not image.info.get("exif") and not image.getexif()


def test_only_images_are_composed() -> None:
    clip = prepare_audio(wav(1.0), "clip.wav")
    with pytest.raises(MediaRejected):
        compose_orders(prepared(100, 100, RED), clip)
