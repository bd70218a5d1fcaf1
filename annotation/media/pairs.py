"""Two candidate images composed side by side: the one photo an image comparison shows.

An image comparison is one task message like every other: a photo with the caption and the
buttons, edited in place from task to task. The photo holds both candidates, each half
headed by the letter it goes by on the screen (A on the left, B on the right). Intake
composes it twice per item (:func:`compose_orders`): in the item's order and reversed, so
each annotator gets the order drawn for them (``Turn.swapped``, ``annotation.kinds.pairwise``)
without any drawing at answer time.

Layout and size, for a phone and a data budget:

- each candidate is fitted (up or down) into a half of ``PANEL_WIDTH`` × ``PANEL_HEIGHT``
  pixels, then both are brought to the same height, the smaller of the two, so neither
  candidate looks bigger than the other; each is centred in its half;
- the halves sit ``GAP`` pixels apart under a ``BAND``-pixel band carrying the letters, on a
  dark ground, ``WIDTH`` pixels wide in all (Telegram's own photo size: what a phone shows
  at full width, and a tap zooms) and at least ``BAND`` + 1 tall, within the 20:1 sides
  Telegram accepts for a photo;
- the result is a progressive JPEG with no metadata, at the highest of ``JPEG_QUALITIES``
  that fits ``PAIR_TARGET_BYTES`` (else the lowest).

The inputs are the candidates' prepared JPEGs (``annotation.media.preparation``): already
decoded safely, bounded and stripped, so composing costs two small decodes and one encode.
Blocking (Pillow): intake runs it on the uploads' worker pool, off the event loop.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from annotation.media.preparation import (
    MediaProblem,
    MediaRejected,
    PreparedMedia,
    encode_jpeg,
)
from annotation.models import MediaKey, MediaKind

WIDTH = 1280
GAP = 16
PANEL_WIDTH = (WIDTH - GAP) // 2  # 632
PANEL_HEIGHT = 948  # a 2:3 portrait fills its half
BAND = 72  # the letters' band above the halves
GROUND = (32, 32, 32)  # the band, the gap and the margins around a narrow candidate
INK = (255, 255, 255)
PAIR_TARGET_BYTES = 160 * 1024  # two photos in one: room for both at a decent quality
LETTERS = ("A", "B")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont | ImageFont.TransposedFont


def compose_orders(first: PreparedMedia, second: PreparedMedia
                   ) -> tuple[PreparedMedia, PreparedMedia]:
    """Return the two candidates composed in the item's order (first as A) and reversed
    (second as A)."""
    pictures = _decode(first), _decode(second)
    return (_compose(pictures, "pair-ab.jpg"), _compose(pictures[::-1], "pair-ba.jpg"))


def compose_pair(left: PreparedMedia, right: PreparedMedia, filename: str = "pair.jpg"
                 ) -> PreparedMedia:
    """Return ``left`` and ``right`` side by side under the letters A and B."""
    return _compose((_decode(left), _decode(right)), filename)


def fitted_sizes(sizes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the size each candidate is drawn at: fitted into its half, then brought to
    the height of the smallest so both look alike."""
    scales = [min(PANEL_WIDTH / width, PANEL_HEIGHT / height) for width, height in sizes]
    height = max(1, min(round(h * s) for (_w, h), s in zip(sizes, scales, strict=True)))
    return [(max(1, min(PANEL_WIDTH, round(w * height / h))), height) for w, h in sizes]


def _decode(media: PreparedMedia) -> Image.Image:
    """Open a prepared image (an RGB JPEG annobot encoded itself)."""
    if media.kind is not MediaKind.IMAGE:
        raise MediaRejected(MediaProblem.UNSUPPORTED, media.filename)
    try:
        with Image.open(io.BytesIO(media.data), formats=["JPEG"]) as opened:
            return opened.convert("RGB")
    except Exception:  # our own JPEG: only a damaged store gets here
        raise MediaRejected(MediaProblem.CORRUPT, media.filename) from None


def _compose(pictures: Sequence[Image.Image], filename: str) -> PreparedMedia:
    """Draw the pictures side by side under their letters and encode the result."""
    sizes = fitted_sizes([picture.size for picture in pictures])
    height = sizes[0][1]
    canvas = Image.new("RGB", (WIDTH, BAND + height), GROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font(round(BAND * 0.62))
    for index, (picture, size) in enumerate(zip(pictures, sizes, strict=True)):
        left = index * (PANEL_WIDTH + GAP)
        resized = picture.resize(size, Image.Resampling.LANCZOS)
        canvas.paste(resized, (left + (PANEL_WIDTH - size[0]) // 2, BAND))
        draw.text((left + PANEL_WIDTH // 2, BAND // 2), LETTERS[index], fill=INK, font=font,
                  anchor="mm")
    data = encode_jpeg(canvas, PAIR_TARGET_BYTES)
    return PreparedMedia(key=MediaKey(hashlib.sha256(data).hexdigest()), kind=MediaKind.IMAGE,
                         filename=filename, mime="image/jpeg", data=data, width=canvas.width,
                         height=canvas.height, duration=None, send_as="photo")


def _font(size: int) -> Font:
    """Return Pillow's bundled font at ``size`` pixels (its bitmap font without FreeType)."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()
