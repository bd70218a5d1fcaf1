"""The bundled sample project for ``annobot demo``: counting things in pictures, texts, sounds.

Everything is generated from a seeded ``random.Random``, so the same arguments give the same
files byte for byte: pictures of 1 to 4 shapes on a textured background, English sentences
about 1 to 4 animals or things, and WAV clips of 1 to 4 beeps. The items go through the same
``parse_items`` path as an upload, so the sample also exercises the importer. ``truth`` maps
every item (gold or not) to its true count, for showing how aggregation recovers it.
"""

from __future__ import annotations

import csv
import io
import math
import random
import sys
import wave
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource

SPEC_TOML = """\
# The annobot demo project: count what each item shows.
name = "Counting demo"
answer_type = "single"
options = ["1", "2", "3", "4"]
overlap = 3
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"
aggregation = "majority"

[question]
en = "How many are there?"
fr = "Combien y en a-t-il ?"
mg = "Firy ny isany?"

[instructions]
en = "Count what the item shows: the shapes in a picture, the animals or things in a \
sentence, or the beeps in a sound clip. Tap the number."
fr = "Comptez ce que montre l'élément : les formes sur une image, les animaux ou les objets \
d'une phrase, ou les bips d'un extrait sonore. Touchez le nombre."
mg = "Isao izay asehon'ilay singa: ny endrika amin'ny sary, ny biby na zavatra amin'ny \
fehezanteny, na ny feo «bip» amin'ny feo voarakitra. Tsindrio ny isa."
"""

IMAGE_SIZE = (640, 480)
SAMPLE_RATE = 8000
KIND_SHARES = (("image", 0.5), ("text", 0.3), ("audio", 0.2))
NUMBER_WORDS = ("one", "two", "three", "four")
NOUNS = (
    ("goat", "goats"),
    ("zebu", "zebus"),
    ("child", "children"),
    ("bicycle", "bicycles"),
    ("chicken", "chickens"),
    ("fishing boat", "fishing boats"),
    ("lemur", "lemurs"),
    ("taxi-brousse", "taxi-brousses"),
)
SENTENCES = (
    "{N} {noun} crossed the road.",
    "At dawn, {n} {noun} appeared by the river.",
    "{N} {noun} waited quietly in the rice field.",
    "We saw {n} {noun} near the market.",
    "Behind the school, {n} {noun} stopped in the shade.",
)
PREFIXES = {"image": "img", "text": "txt", "audio": "aud"}
EXPLANATIONS = {
    "image": "Count every shape once: {word} in all.",
    "text": "The sentence says {word}.",
    "audio": "Listen to the end: {word} in all.",
}


@dataclass(frozen=True, slots=True)
class SampleProject:
    """The sample spec (TOML), its prepared items and the true label of every item."""

    spec_toml: str
    items: list[ItemDraft]
    truth: Mapping[str, str]  # external_id -> true label


@dataclass(frozen=True, slots=True)
class _SampleFiles:
    items_csv: str
    media: Mapping[str, bytes]  # relative path -> bytes
    truth: Mapping[str, str]


def build_sample_project(
    n_items: int = 60, *, gold_share: float = 0.1, seed: int = 7
) -> SampleProject:
    """Build the sample project in memory, its items prepared like an upload's."""
    files = _generate(n_items, gold_share, seed)
    spec = parse_spec(SPEC_TOML)
    items = parse_items(
        files.items_csv.encode("utf-8"), "items.csv", spec, MemorySource(files.media)
    )
    return SampleProject(SPEC_TOML, items, files.truth)


def write_sample_project(dest: Path, n_items: int = 60, seed: int = 7) -> tuple[Path, Path]:
    """Write project.toml, items.csv, truth.csv and media/ under ``dest``; return both paths."""
    files = _generate(n_items, 0.1, seed)
    (dest / "media").mkdir(parents=True, exist_ok=True)
    spec_path, items_path = dest / "project.toml", dest / "items.csv"
    spec_path.write_text(SPEC_TOML, encoding="utf-8")
    items_path.write_text(files.items_csv, encoding="utf-8", newline="")
    truth = "".join(f"{key},{label}\n" for key, label in files.truth.items())
    (dest / "truth.csv").write_text("id,label\n" + truth, encoding="utf-8")
    for relative, data in files.media.items():
        (dest / relative).write_bytes(data)
    return spec_path, items_path


def _generate(n_items: int, gold_share: float, seed: int) -> _SampleFiles:
    rng = random.Random(seed)
    kinds = [kind for kind, share in KIND_SHARES for _ in range(round(n_items * share))]
    kinds = (kinds + ["image"] * n_items)[:n_items]
    rng.shuffle(kinds)
    gold = set(rng.sample(range(n_items), round(n_items * gold_share)))
    training = set(sorted(gold)[: len(gold) // 3])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "text", "image", "audio", "gold", "explanation", "training"])
    media: dict[str, bytes] = {}
    truth: dict[str, str] = {}
    for index, kind in enumerate(kinds):
        count = rng.randint(1, 4)
        external_id = f"{PREFIXES[kind]}-{index + 1:03d}"
        truth[external_id] = str(count)
        text = image = audio = ""
        if kind == "image":
            image = f"media/{external_id}.jpg"
            media[image] = _draw_shapes(rng, count)
        elif kind == "audio":
            audio = f"media/{external_id}.wav"
            media[audio] = _beeps(rng, count)
        else:
            text = _sentence(rng, count)
        is_gold = index in gold
        explanation = EXPLANATIONS[kind].format(word=NUMBER_WORDS[count - 1])
        writer.writerow(
            [
                external_id,
                text,
                image,
                audio,
                str(count) if is_gold else "",
                explanation if is_gold else "",
                "true" if index in training else "",
            ]
        )
    return _SampleFiles(buffer.getvalue(), media, truth)


def _sentence(rng: random.Random, count: int) -> str:
    singular, plural = rng.choice(NOUNS)
    word = NUMBER_WORDS[count - 1]
    template = rng.choice(SENTENCES)
    noun = singular if count == 1 else plural
    return template.format(N=word.capitalize(), n=word, noun=noun)


def _draw_shapes(rng: random.Random, count: int) -> bytes:
    """Return a JPEG of ``count`` separate shapes on a soft, noisy background."""
    width, height = IMAGE_SIZE
    grain = Image.frombytes("RGB", (32, 24), rng.randbytes(32 * 24 * 3))
    background = grain.resize(IMAGE_SIZE, Image.Resampling.BICUBIC)
    tint = Image.new("RGB", IMAGE_SIZE, tuple(rng.randint(150, 235) for _ in range(3)))
    image = Image.blend(background, tint, 0.7)
    draw = ImageDraw.Draw(image)
    placed: list[tuple[int, int, int]] = []
    while len(placed) < count:
        radius = rng.randint(40, 70)
        x = rng.randint(radius + 10, width - radius - 10)
        y = rng.randint(radius + 10, height - radius - 10)
        if all(math.hypot(x - px, y - py) > radius + pr + 20 for px, py, pr in placed):
            placed.append((x, y, radius))
    for x, y, radius in placed:
        fill = tuple(rng.choice((rng.randint(0, 60), rng.randint(180, 255))) for _ in range(3))
        box = (x - radius, y - radius, x + radius, y + radius)
        shape = rng.choice(("circle", "square", "triangle"))
        if shape == "circle":
            draw.ellipse(box, fill=fill, outline=(20, 20, 20), width=3)
        elif shape == "square":
            draw.rectangle(box, fill=fill, outline=(20, 20, 20), width=3)
        else:
            points = [(x, y - radius), (x + radius, y + radius), (x - radius, y + radius)]
            draw.polygon(points, fill=fill, outline=(20, 20, 20), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _beeps(rng: random.Random, count: int) -> bytes:
    """Return a WAV (8 kHz, mono, 16-bit) of ``count`` short beeps at one random pitch."""
    frequency = rng.uniform(500.0, 1000.0)
    volume = rng.uniform(8000.0, 14000.0)
    beep, gap = int(rng.uniform(0.13, 0.17) * SAMPLE_RATE), int(0.2 * SAMPLE_RATE)
    edge, fade = int(0.45 * SAMPLE_RATE), int(0.005 * SAMPLE_RATE)
    tone = array(
        "h",
        (
            int(
                volume
                * min(1.0, i / fade, (beep - i) / fade)
                * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)
            )
            for i in range(beep)
        ),
    )
    samples = array("h", bytes(2 * edge))
    for index in range(count):
        samples.extend(tone)
        samples.extend(array("h", bytes(2 * (gap if index < count - 1 else edge))))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(samples.tobytes())
    return buffer.getvalue()
