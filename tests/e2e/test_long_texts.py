"""Long texts at the exact limits, through the coordinator's chat upload and the sandbox,
which enforces Telegram's limits (4,096 characters in a message, 1,024 in a caption, both
counted after HTML parsing): an item that fills the room the kind leaves is shown whole to
annotators in English, French and Malagasy, and one character more refuses the whole file
with the line and the length (issue 13, point 5)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import pytest

from annotation.intake.spec import parse_spec
from annotation.kinds import pairwise, ranking
from annotation.kinds.base import MESSAGE_LIMIT, message_room
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.e2e.conftest import Harness, sandbox
from tests.e2e.test_console import coordinator_of, has, text_of, zip_of
from tests.e2e.test_image_pairs import BLUE, RED, png
from tests.e2e.test_kinds import is_task, labels

# The question in three languages, the Malagasy one the longest: the room is what the
# longest leaves (``message_need``).
QUESTIONS = {
    "en": "Which response answers the prompt better?",
    "fr": "Quelle réponse répond le mieux à la consigne ?",
    "mg": "Iza amin'ireo valiny roa no mamaly tsara kokoa ny fangatahana?",
}
# What each language calls the prompt's heading: proves the task was drawn in it.
PROMPT_HEADING = {"en": "Prompt", "fr": "Consigne", "mg": "Fangatahana"}
READERS = {"en": 3001, "fr": 3002, "mg": 3003}
# A model's answer as it comes: HTML-like tags, ampersands, quotes, accents, newlines.
FILLER = ("Réponse : ajoutez <b>1 kg</b> de riz & 2 l d'eau, puis \"remuez\" bien.\n"
          "Tsara ny vary raha ampiana rano kely; l'essentiel, c'est la patience. ")
# The same without a character HTML escapes (no quote, ampersand or angle bracket).
PLAIN_FILLER = ("Reponse : ajoutez 1 kg de riz et 2 l d eau, puis remuez bien.\n"
                "Tsara ny vary raha ampiana rano kely; le secret, la patience. ")


def question_toml() -> str:
    return "{ " + ", ".join(f'{language} = "{text}"' for language, text in QUESTIONS.items()
                            ) + " }"


PAIRWISE_SPEC = f"""
name = "Long answers"
answer_type = "pairwise"
question = {question_toml()}
overlap = 3
gold_rate = 0.0
tie = true
"""
RANKING_SPEC = f"""
name = "Long rankings"
answer_type = "ranking"
question = {question_toml()}
candidates = 4
overlap = 3
gold_rate = 0.0
"""
IMAGE_SPEC = f"""
name = "Long captions"
answer_type = "pairwise"
question = {question_toml()}
overlap = 3
gold_rate = 0.0
"""


def text_of_length(length: int, tag: str, filler: str = FILLER) -> str:
    """Return a text of exactly ``length`` characters, marked at both ends by ``tag`` and
    with no space at either end (import strips cells)."""
    body = (filler * (length // len(filler) + 2))[:length - 2 * len(tag)]
    text = tag + body.rstrip() + tag
    return text + "." * (length - len(text))


def split(total: int, parts: int) -> list[int]:
    """Return ``parts`` lengths that add up to ``total``, as even as possible."""
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def items_csv(header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def lines_of(row: Mapping[str, str]) -> int:
    """Return how many lines of the file a row takes (its cells hold newlines)."""
    return 1 + sum(value.count("\n") for value in row.values())


def item_counts(harness: Harness) -> list[tuple[object, ...]]:
    return harness.rows("SELECT (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM items)")


async def refused(coordinator: SimUser, harness: Harness, data: bytes, filename: str) -> str:
    """Upload a file that must be refused; return the refusal, nothing written."""
    before = item_counts(harness)
    await coordinator.send_document(data, filename)
    report = await coordinator.wait_for(has("Nothing was created"), timeout=30)
    assert item_counts(harness) == before
    return text_of(report)


async def open_uploaded(coordinator: SimUser, harness: Harness, data: bytes,
                        filename: str) -> str:
    """Upload a file that must be accepted with one item, open the project and return its
    invite code."""
    await coordinator.send_document(data, filename)
    created = await coordinator.wait_for(has("created as a draft with 1 items"), timeout=30)
    await coordinator.tap("▶ Open", created.message_id)
    await coordinator.wait_for(has("is open"))
    (invite,), = harness.rows("SELECT invite_code FROM projects WHERE id = 2")
    return str(invite)


async def reader(server: SandboxServer, language: str, invite: str) -> tuple[SimUser,
                                                                            SimMessage]:
    user = server.user(READERS[language], first_name=f"reader {language}",
                       language_code=language)
    await user.send_command("start", invite)
    try:
        return user, await user.wait_for(is_task)
    except TimeoutError:
        refusals = [r.description for r in server.stats.log
                    if not r.ok and r.chat_id == user.id]
        raise AssertionError(f"no task shown in {language}; refused: {refusals}") from None


def assert_whole(task: SimMessage, language: str, texts: Sequence[str], limit: int) -> None:
    """The task is in the reader's language and holds every text whole."""
    shown = task.text or ""
    assert QUESTIONS[language] in shown and PROMPT_HEADING[language] in shown, shown[:300]
    for text in texts:
        assert text in shown, f"cut in {language}: {text[:40]}… ({len(text)} characters)"
    assert len(shown) <= limit


async def test_a_comparison_at_the_limit_is_shown_whole_and_one_more_is_refused(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC)
    room = message_room(spec, pairwise.RESERVED)
    assert room == MESSAGE_LIMIT - 300 - max(len(q) for q in QUESTIONS.values())
    lengths = split(room, 3)
    fits = {"id": "long", "prompt": text_of_length(lengths[0], "[P]"),
            "response_a": text_of_length(lengths[1], "[A]"),
            "response_b": text_of_length(lengths[2], "[B]"),
            "response_a_id": "model-x", "response_b_id": "model-y"}
    over = {**fits, "id": "longer", "response_b": text_of_length(lengths[2] + 1, "[B]")}
    header = list(fits)
    async with make_harness(spec, []) as harness, sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_document(PAIRWISE_SPEC.encode(), "project.toml")
        await coordinator.wait_for(has("Now send the items file"))
        # the row that fits does not get in either: the file is refused whole
        report = await refused(coordinator, harness, items_csv(header, [fits, over]),
                               "items.csv")
        line = 2 + lines_of(fits)
        assert (f'items.csv line {line}, column "prompt+response_a+response_b": text too '
                f"long: {room + 1} characters, at most {room}") in report, report
        assert "line 2," not in report  # the row at the limit is not reported

        invite = await open_uploaded(coordinator, harness, items_csv(header, [fits]),
                                     "items.csv")
        texts = (fits["prompt"], fits["response_a"], fits["response_b"])
        for language in READERS:
            user, task = await reader(server, language, invite)
            assert_whole(task, language, texts, MESSAGE_LIMIT)
            await user.tap(labels(task)[0], task.message_id)
            await user.wait_for(lambda m, t=task: m.message_id == t.message_id
                                and m.version > t.version)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(3,)]


async def test_a_ranking_at_the_limit_is_shown_whole_at_every_pick_and_one_more_is_refused(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RANKING_SPEC)
    room = message_room(spec, ranking.RESERVED)
    assert room == MESSAGE_LIMIT - 400 - max(len(q) for q in QUESTIONS.values())
    lengths = split(room, 5)
    fits = {"id": "long", "prompt": text_of_length(lengths[0], "[P]"),
            **{f"response_{n}": text_of_length(lengths[n], f"[R{n}]") for n in range(1, 5)},
            **{f"response_{n}_id": f"m{n}" for n in range(1, 5)}}
    over = {**fits, "id": "longer", "prompt": text_of_length(lengths[0] + 1, "[P]")}
    header = list(fits)
    columns = "prompt+response_1+response_2+response_3+response_4"
    async with make_harness(parse_spec(PAIRWISE_SPEC), []) as harness, sandbox() as server, \
            harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_document(RANKING_SPEC.encode(), "project.toml")
        await coordinator.wait_for(has("Now send the items file"))
        report = await refused(coordinator, harness, items_csv(header, [fits, over]),
                               "items.csv")
        assert (f'items.csv line {2 + lines_of(fits)}, column "{columns}": text too long: '
                f"{room + 1} characters, at most {room}") in report, report

        invite = await open_uploaded(coordinator, harness, items_csv(header, [fits]),
                                     "items.csv")
        texts = [fits["prompt"], *(fits[f"response_{n}"] for n in range(1, 5))]
        for language in READERS:
            user, task = await reader(server, language, invite)
            # the longest screens come after a pick: the order so far is added
            for _pick in range(3):
                assert_whole(task, language, texts, MESSAGE_LIMIT)
                version = task.version
                await user.tap(task.buttons[0][0], task.message_id)
                task = await user.wait_for(lambda m, v=version, i=task.message_id:
                                           m.message_id == i and m.version > v)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(3,)]


# The second case once found a bug: ``render_task`` measured a caption's HTML source (tags
# and escapes: ``'`` is ``&#x27;``), not its text as Telegram and the import count it, and
# cut a prompt at the limit with quotes or ampersands inside ``</blockquote>``: the photo
# was refused ("can't parse entities") and the annotator got no task at all.
@pytest.mark.parametrize("filler", [
    pytest.param(PLAIN_FILLER, id="plain"),
    pytest.param(FILLER, id="quotes-and-ampersands"),
])
async def test_an_image_pair_prompt_at_the_caption_limit_is_shown_whole_and_one_more_is_refused(
        make_harness, filler: str) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(IMAGE_SPEC)
    room = message_room(spec, pairwise.CAPTION_RESERVED, pairwise.CAPTION_LIMIT)
    assert room == 1024 - 200 - max(len(q) for q in QUESTIONS.values())
    photos = {"x.png": png(RED, (64, 48)), "y.png": png(BLUE, (48, 64))}
    fits = {"id": "d1", "prompt": text_of_length(room, "[P]", filler),
            "response_a_media": "x.png", "response_b_media": "y.png",
            "response_a_id": "model-x", "response_b_id": "model-y"}
    over = {**fits, "id": "d2", "prompt": text_of_length(room + 1, "[P]", filler)}
    header = list(fits)

    def archive(rows: Sequence[Mapping[str, str]]) -> bytes:
        return zip_of({"project.toml": IMAGE_SPEC.encode(), "items.csv": items_csv(header, rows),
                       **photos})

    async with make_harness(parse_spec(PAIRWISE_SPEC), []) as harness, sandbox() as server, \
            harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        report = await refused(coordinator, harness, archive([fits, over]), "dishes.zip")
        assert (f'items.csv line {2 + lines_of(fits)}, column "prompt": text too long: '
                f"{room + 1} characters, at most {room}") in report, report

        invite = await open_uploaded(coordinator, harness, archive([fits]), "dishes.zip")
        for language in READERS:
            _user, task = await reader(server, language, invite)
            assert task.kind == "photo"
            assert_whole(task, language, [fits["prompt"]], 1024)
