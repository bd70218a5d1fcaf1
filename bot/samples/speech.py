"""The speech sample: read sentences aloud, check the recordings, transcribe clips.

Three projects, one crowd (``bot/demo_speech.py`` runs them through the sandbox):

- *Read aloud* (``recording``, overlap 2): Malagasy and French sentences built from a few
  templates (subject, what they do, where, when), so any number up to ``max_items`` are
  distinct; two speakers read each one. Each carries its language into the export: the
  spec's ``language = "mg"``, and ``fr`` in the items file's ``language`` column for the
  French ones (``LANGUAGE_OF``).
- *Check the readings* (``check``, ``source`` the recording project, two agreeing votes
  decide): every accepted recording becomes a check item; gold check items are generated
  voice notes with a known verdict: good readings marked ``yes`` and readings of another
  sentence marked ``no``, the first few of them training items.
- *Transcribe* (``transcript``): audio items, each a voice note standing for a sentence,
  and gold transcripts mixed in.

The voice notes are synthetic (``bot.samples.voices``): speech-like tones, not words. So
the hidden truth of a note is what it *stands for*: the sentence a clip says, and whether a
recording says the sentence its speaker was asked to read. A note is known by the SHA-256
of its bytes, which is also its media key once the bot stores it (:class:`NoteTruth`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource
from annotation.media.speech import limits_for_sentence
from bot.samples.voices import voice_note

RECORDING_NAME = "Read aloud (demo)"
RECORDING_SPEC = f"""\
# The annobot speech demo: read each sentence aloud, as a voice message.
name = "{RECORDING_NAME}"
answer_type = "recording"
language = "mg"                 # what the sentences are in; French ones say "fr" in the items
overlap = 2
gold_rate = 0.0
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "Read this sentence aloud."
fr = "Lisez cette phrase à voix haute."
mg = "Vakio mafy ity fehezanteny ity."
"""
CHECK_SPEC = f"""\
# The annobot speech demo: does each recording say exactly its sentence?
name = "Check the readings (demo)"
answer_type = "check"
source = "{RECORDING_NAME}"
votes = 2
overlap = 4
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "Does the recording say exactly this text?"
fr = "L'enregistrement dit-il exactement ce texte ?"
mg = "Mitovy tanteraka amin'ity soratra ity ve ny feo voarakitra?"
"""
TRANSCRIPT_SPEC = """\
# The annobot speech demo: type exactly what each clip says.
name = "Transcribe (demo)"
answer_type = "transcript"
overlap = 3
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "What does the speaker say?"
fr = "Que dit la personne ?"
mg = "Inona no lazain'ilay miteny?"
"""

# Malagasy: verb phrase, place, time, subject (the subject comes last)
MG_DOING = ("Mividy vary", "Mamaky boky", "Misotro dite", "Manasa lamba", "Mamboly katsaka",
            "Mihaino radio", "Manoratra taratasy", "Mahandro sakafo")
MG_WHERE = ("any an-tsena", "ao an-trano", "any an-tsekoly", "eny an-tokotany",
            "any Antsirabe", "eo amoron'ny renirano")
MG_WHEN = ("isa-maraina", "isan'andro", "isaky ny alahady", "matetika", "ankehitriny")
MG_WHO = ("i Rakoto", "i Rasoa", "ny zanako", "ny mpampianatra", "ny namako", "i Neny",
          "ny dadabe", "ny mpamily")
# French: subject, verb phrase, place, time
FR_WHO = ("Ma sœur", "Mon voisin", "Le professeur", "Notre fils", "La directrice",
          "Mon grand-père", "Cette famille", "Le chauffeur")
FR_DOING = ("achète du riz", "lit le journal", "boit du thé", "lave le linge",
            "plante du maïs", "écoute la radio", "écrit une lettre", "prépare le repas")
FR_WHERE = ("au marché", "à la maison", "à l'école", "dans la cour", "à Antsirabe",
            "au bord de la rivière")
FR_WHEN = ("chaque matin", "tous les jours", "le dimanche", "souvent", "en ce moment")

GOLD_CHECKS = 14  # gold check items (half of them wrong readings); the first 4 train
GOLD_TRANSCRIPTS = 14  # gold clips with their transcript; the first 4 train
TRAINING = 4
CHARS_PER_SECOND = 14.0  # a reader's pace, within the bot's bounds (5 to 25)


def _sentences() -> list[str]:
    malagasy = [f"{doing} {where} {when} {who}." for doing, where, when, who in
                itertools.product(MG_DOING, MG_WHERE, MG_WHEN, MG_WHO)]
    french = [f"{who} {doing} {where} {when}." for who, doing, where, when in
              itertools.product(FR_WHO, FR_DOING, FR_WHERE, FR_WHEN)]
    return [sentence for pair in zip(malagasy, french, strict=True) for sentence in pair]


SENTENCES = tuple(_sentences())
# each sentence's language (BCP 47): they alternate, Malagasy first
LANGUAGE_OF: Mapping[str, str] = {sentence: ("mg", "fr")[n % 2]
                                  for n, sentence in enumerate(SENTENCES)}


def max_items() -> int:
    """Return how many sentences the sample can hold (recording items and clips apart)."""
    return len(SENTENCES) // 2


def reading_seconds(sentence: str) -> float:
    """Return how long a careful reading of ``sentence`` lasts, within the bot's bounds."""
    limits = limits_for_sentence(sentence)
    seconds = len(sentence) / CHARS_PER_SECOND + 0.6  # and the thumb on the button
    return round(min(max(seconds, limits.min_seconds + 0.5), limits.max_seconds - 1.0), 2)


def note_key(data: bytes) -> str:
    """Return the key a voice note is known by: its SHA-256, as the bot's media key."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Heard:
    """What a voice note stands for: the sentence it says, and whether that is the text it
    is shown with (a speaker may read the wrong sentence)."""

    sentence: str
    says_text: bool


@dataclass(slots=True)
class NoteTruth:
    """The hidden truth of every voice note of a run, by :func:`note_key` (the demo adds
    the speakers' notes as they record them)."""

    by_key: dict[str, Heard] = field(default_factory=dict)

    def add(self, data: bytes, heard: Heard) -> None:
        """Remember what the note ``data`` stands for."""
        self.by_key[note_key(data)] = heard

    def heard(self, data: bytes) -> Heard | None:
        """Return what the note ``data`` stands for, or None for a note not of this run."""
        return self.by_key.get(note_key(data))


@dataclass(frozen=True, slots=True)
class SpeechSample:
    """The three projects' specs and items, and the hidden truth of every note made."""

    recording_spec: str
    recordings: list[ItemDraft]  # the sentences to read
    check_spec: str
    gold_checks: list[ItemDraft]  # generated readings with a known verdict
    transcript_spec: str
    clips: list[ItemDraft]  # audio items to transcribe (gold ones included)
    clip_truth: Mapping[str, str]  # clip item id -> the sentence it says
    notes: NoteTruth
    sentences: frozenset[str]  # every sentence the sample uses, to find in a task's text


def build_speech_sample(n_items: int = 40, *, seed: int = 7,
                        gold_checks: int = GOLD_CHECKS,
                        gold_transcripts: int = GOLD_TRANSCRIPTS) -> SpeechSample:
    """Build the sample: ``n_items`` sentences to read and ``n_items // 2`` clips to
    transcribe (plus the gold), their voice notes generated (CPU work: call it in a thread).
    """
    if not 1 <= n_items <= max_items():
        raise ValueError(f"the speech sample holds 1 to {max_items()} sentences")
    rng = random.Random(seed)
    pool = rng.sample(SENTENCES, n_items + gold_checks + n_items // 2 + gold_transcripts)
    to_read, gold_read = pool[:n_items], pool[n_items:n_items + gold_checks]
    to_hear = pool[n_items + gold_checks:]
    notes = NoteTruth()
    seeds = itertools.count(seed * 100_000 + 1)

    def note(sentence: str, shown: str) -> bytes:
        data = voice_note(reading_seconds(sentence), seed=next(seeds))
        notes.add(data, Heard(sentence, sentence == shown))
        return data

    recording = parse_spec(RECORDING_SPEC)
    # the spec's language (mg) is the default: only the French sentences name theirs
    recordings = parse_items(
        _csv([["id", "text", "language"],
              *([f"s{n + 1:03d}", text, "" if LANGUAGE_OF[text] == "mg" else LANGUAGE_OF[text]]
                for n, text in enumerate(to_read))]),
        "sentences.csv", recording, None)

    files: dict[str, bytes] = {}
    rows_out: list[list[str]] = [["id", "audio", "text", "gold", "training"]]
    for n, shown in enumerate(gold_read):
        wrong = n % 2 == 1  # a reading of another sentence: "does not say it"
        said = rng.choice([s for s in SENTENCES if s != shown]) if wrong else shown
        files[f"g{n + 1:02d}.ogg"] = note(said, shown)
        rows_out.append([f"g{n + 1:02d}", f"g{n + 1:02d}.ogg", shown, "no" if wrong else "yes",
                         "true" if n < TRAINING else ""])
    checks = parse_items(_csv(rows_out), "gold.csv", parse_spec(CHECK_SPEC), MemorySource(files))

    files, clip_truth = {}, {}
    rows_out = [["id", "audio", "gold", "training"]]
    first_gold = len(to_hear) - gold_transcripts
    for n, sentence in enumerate(to_hear):
        gold = n >= first_gold
        name = f"{'t' if gold else 'c'}{n + 1:03d}"
        files[f"{name}.ogg"] = note(sentence, sentence)
        clip_truth[name] = sentence
        rows_out.append([name, f"{name}.ogg", sentence if gold else "",
                         "true" if gold and n - first_gold < TRAINING else ""])
    clips = parse_items(_csv(rows_out), "clips.csv", parse_spec(TRANSCRIPT_SPEC),
                        MemorySource(files))
    return SpeechSample(RECORDING_SPEC, recordings, CHECK_SPEC, checks, TRANSCRIPT_SPEC, clips,
                        clip_truth, notes, frozenset(pool))


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
