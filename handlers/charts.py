"""The ``/stats`` chart: progress over time (a line) above answers per hour (bars), as PNG.

Pure and blocking (Pillow): call it through ``asyncio.to_thread``. The picture is drawn in a
few flat colours and saved as a palette PNG, so it stays around 10-20 KB: light on
annotators' and coordinators' mobile data. Titles come translated from the caller.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 720, 480
MARGIN_LEFT, MARGIN_RIGHT = 56, 16
BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
GRID = (225, 225, 225)
LINE = (33, 113, 181)
BAR = (49, 163, 84)


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """Translated titles and axis notes."""

    title: str
    progress: str  # e.g. "Progress (%)"
    per_hour: str  # e.g. "Answers per hour"
    hours_note: str  # e.g. "last 48 hours"


FONTS = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "LiberationSans-Regular.ttf", "Arial.ttf")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> tuple[Font, bool]:
    """Return a font and whether it has accented letters (Pillow's own has ASCII only)."""
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size), False
    except (OSError, ValueError):  # Pillow without FreeType
        return ImageFont.load_default(), False


def _plain(text: str) -> str:
    """Return ``text`` without accents, for a font that has none (é -> e)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii())


def _panel(draw: ImageDraw.ImageDraw, top: int, bottom: int, maximum: float,
           label: str, font: Font,
           percent: bool) -> None:
    """Draw a panel's grid and its value labels."""
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        draw.line([(MARGIN_LEFT, y), (WIDTH - MARGIN_RIGHT, y)], fill=GRID)
        text = f"{value:.0f}%" if percent else f"{value:.0f}"
        draw.text((MARGIN_LEFT - 6, y), text, fill=INK, font=font, anchor="rm")
    draw.text((MARGIN_LEFT, top - 18), label, fill=INK, font=font)


def draw_chart(progress: Sequence[float], per_hour: Sequence[int], texts: ChartTexts) -> bytes:
    """Return the chart as PNG bytes (``progress`` in 0..1, one value per hour)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    (title, accents), (small, _accents) = _font(18), _font(13)
    if not accents:
        texts = ChartTexts(*(_plain(t) for t in (texts.title, texts.progress, texts.per_hour,
                                                 texts.hours_note)))
    draw.text((MARGIN_LEFT, 10), texts.title, fill=INK, font=title)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    count = max(len(progress), len(per_hour), 1)
    step = plot_width / count

    top, bottom = 62, 230
    _panel(draw, top, bottom, 100.0, texts.progress, small, percent=True)
    points = [(MARGIN_LEFT + step * (i + 0.5), bottom - (bottom - top) * max(0.0, min(1.0, p)))
              for i, p in enumerate(progress)]
    if len(points) >= 2:
        draw.line(points, fill=LINE, width=3, joint="curve")
    elif points:
        x, y = points[0]
        draw.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=LINE)

    top, bottom = 290, HEIGHT - 36
    highest = max(per_hour, default=0)
    scale = max(4, highest + (-highest % 4))  # a round top so the grid labels are whole
    _panel(draw, top, bottom, float(scale), texts.per_hour, small, percent=False)
    for i, answers in enumerate(per_hour):
        if answers <= 0:
            continue
        x0 = MARGIN_LEFT + step * i + 1
        height = (bottom - top) * answers / scale
        draw.rectangle([(x0, bottom - height), (x0 + max(1.0, step - 2), bottom)], fill=BAR)
    draw.text((WIDTH - MARGIN_RIGHT, HEIGHT - 14), texts.hours_note, fill=INK, font=small,
              anchor="rm")

    buffer = io.BytesIO()
    image.quantize(colors=16).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
