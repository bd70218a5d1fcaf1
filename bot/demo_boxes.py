"""``annobot demo --sample boxes``: a crowd draws boxes around shapes in the Mini App.

One run of the real bot, its Mini App server and the local Bot API sandbox: each simulated
annotator joins by the invite, and for every task opens the Mini App the way Telegram
would (the button's URL with a signed ``initData``, from the sandbox), fetches the task and
its picture from annobot's HTTP API, and posts the boxes it drew (``BoxesHand``), or taps
"Nothing to mark" in the chat; the bot then moves the chat on to the next task, as after a
tap. Careful members draw with noise, misses, wrong classes and now and then a box where
nothing is; careless ones draw anywhere, constant ones always say there is nothing.
Quality control runs training, the exam and hidden gold checks on boxes (precision and
recall at IoU 0.5).

The summary scores the exported consensus of the regular pictures against the hidden
truth: precision and recall of the consensus boxes at IoU 0.5, their mean IoU with the true
boxes, the empty pictures recognised, and who quality control stopped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import json
import random
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp

from annotation.aggregation.boxes import Box, match_boxes
from annotation.intake.spec import parse_spec
from annotation.kinds.marks import NOTHING_CODE
from annotation.quality.settings import QualitySettings
from bot.crowd import Member, Style, Truth, build_crowd
from bot.demo_session import QUALITY, QUALITY_GOLD_SHARE, DemoOptions, Session, run_session
from bot.samples.boxes import BoxesSample, Mark, build_boxes_sample
from bot.samples.boxes_crowd import draw_answer
from bot.sandbox import SimMessage, SimUser

IOU = 0.5
DRAWING_SECONDS = (0.4, 0.9)  # time a simulated member spends drawing (a person: 5-30 s)


@dataclass(slots=True)
class AppStats:
    """What the simulated annotators did through the Mini App's HTTP API."""

    opened: int = 0  # Mini Apps opened (a task fetched)
    submitted: int = 0  # answers posted and recorded
    nothing_taps: int = 0  # "Nothing to mark" tapped in the chat
    refused: Counter[str] = field(default_factory=Counter)  # error codes the API answered
    image_bytes: list[int] = field(default_factory=list)  # each picture fetched


class BoxesHand:
    """Members' hands in the Mini App: open it, fetch the task and picture, post boxes."""

    def __init__(self, truth: Mapping[str, tuple[Mark, ...]],
                 session: aiohttp.ClientSession) -> None:
        self._truth = truth  # by the prepared picture's media key
        self._http = session
        self.stats = AppStats()

    async def work(self, member: Member, rng: random.Random, user: SimUser,
                   message: SimMessage) -> str | None:
        """Answer one boxes task as ``member`` would (see the module's docstring)."""
        url = user.open_web_app(message)
        base, assignment, init_data = _launch(url)
        headers = {"Authorization": f"tma {init_data}"}
        async with self._http.get(f"{base}/api/task", params={"a": assignment},
                                  headers=headers) as response:
            task = await response.json()
            if response.status != 200:
                raise RuntimeError(f"the Mini App refused the task: {task}")
        self.stats.opened += 1
        image = task.get("image") or {}
        async with self._http.get(str(image["url"]), headers=headers) as response:
            data = await response.read()
        self.stats.image_bytes.append(len(data))
        truth = self._truth.get(hashlib.sha256(data).hexdigest(), ())
        answer = draw_answer(member, rng, truth)
        await asyncio.sleep(rng.uniform(*DRAWING_SECONDS))  # the API admits 4 requests/s
        if not answer["boxes"] and task.get("nothing"):
            self.stats.nothing_taps += 1
            return _nothing_label(message)
        async with self._http.post(f"{base}/api/answer", headers=headers,
                                   json={"assignment": int(assignment),
                                         "answer": answer}) as response:
            body = await response.json()
        if response.status != 200 or not body.get("ok"):
            self.stats.refused[str(body.get("error"))] += 1
            raise RuntimeError(f"the Mini App refused an answer: {body}")
        self.stats.submitted += 1
        return None


def _launch(url: str) -> tuple[str, str, str]:
    """Return the API base, the assignment and the initData of a Mini App launch URL."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/app', 1)[0]}"
    assignment = parse_qs(parts.query)["a"][0]
    fragment = dict(p.split("=", 1) for p in parts.fragment.split("&") if "=" in p)
    return base, assignment, unquote(fragment["tgWebAppData"])


def _nothing_label(message: SimMessage) -> str:
    for labels, datas in zip(message.buttons, message.callback_data, strict=True):
        for label, data in zip(labels, datas, strict=True):
            if data.startswith("a:1:") and data.endswith(f":{NOTHING_CODE}"):
                return label
    raise RuntimeError("the task has no Nothing to mark button")


@dataclass(frozen=True, slots=True)
class BoxesSummary:
    """What the boxes demo reports at the end."""

    annotators: int
    items: int
    regular_items: int
    items_labelled: int
    answers: int
    seconds: float
    answers_per_second: float
    precision: float  # consensus boxes matching a true box (IoU >= 0.5, same class)
    recall: float  # true boxes the consensus found
    mean_iou: float  # of the matched consensus boxes with their true box
    empty_right: float | None  # pictures with nothing to mark whose consensus is empty
    careless: int
    careless_stopped: int
    constant: int
    constant_stopped: int
    careful_stopped: int
    opened: int
    submitted: int
    nothing_taps: int
    image_kb: float  # median picture the Mini App fetched, KB
    stopped_by_rule: Mapping[str, int] = field(default_factory=dict)
    api_calls: int = 0
    export_dir: str = ""


def boxes_crowd(options: DemoOptions) -> list[Member]:
    """Return the crowd: careless (random boxes), constant (always nothing), careful."""
    return build_crowd(options.annotators, careless=options.careless,
                       accuracy=options.accuracy, seed=options.seed,
                       constant_share=options.biased)


def planned_boxes_answers(options: DemoOptions) -> int:
    """Roughly how many answers the demo will take, for the progress bar's ETA."""
    regular = options.items - round(options.items * QUALITY_GOLD_SHARE)
    per_annotator = QUALITY.training + QUALITY.exam + 5 if options.quality else 0
    return round(options.annotators * per_annotator + regular * options.overlap)


async def run_boxes_demo(options: DemoOptions,
                         on_progress: Callable[[int, float], None] | None = None
                         ) -> BoxesSummary:
    """Run the boxes demo and return its summary."""
    sample = await asyncio.to_thread(build_boxes_sample, options.items,
                                     gold_share=QUALITY_GOLD_SHARE, seed=options.seed)
    spec = dataclasses.replace(parse_spec(sample.spec_toml), overlap=options.overlap,
                               quality=QUALITY if options.quality else QualitySettings())
    crowd = boxes_crowd(options)
    async with aiohttp.ClientSession() as http:
        hand = BoxesHand(sample.by_media_key(), http)
        session = await run_session(options, spec, sample.items, crowd, Truth({}, {}, ()),
                                    app=hand, on_progress=on_progress)
    with zipfile.ZipFile(io.BytesIO(session.tables)) as tables:
        labels = [json.loads(line) for line in tables.read("tables/labels.jsonl").splitlines()]
    return _summary(options, sample, crowd, session, labels, hand.stats)


def _boxes(value: str | None) -> list[Box]:
    if not value:
        return []
    return [Box(str(b[0]), float(b[1]), float(b[2]), float(b[3]), float(b[4]))
            for b in json.loads(value).get("boxes", [])]


def _summary(options: DemoOptions, sample: BoxesSample, crowd: list[Member],
             session: Session, labels: list[dict[str, object]],
             stats: AppStats) -> BoxesSummary:
    gold = {d.external_id for d in sample.items if d.gold_answer is not None}
    matched = drawn = true_boxes = labelled = empty = empty_right = 0
    ious: list[float] = []
    for row in labels:
        item = str(row["item_id"])
        if item in gold:
            continue
        truth = [Box(*mark) for mark in sample.truth[item]]
        if not truth:
            empty += 1
        if row.get("label") is None:
            continue
        labelled += 1
        found = _boxes(str(row["label"]))
        if not truth:
            empty_right += not found
        match = match_boxes(found, truth, IOU)
        matched += match.matched
        drawn += len(found)
        true_boxes += len(truth)
        if match.matched:
            ious.extend([match.mean_iou] * match.matched)
    rules = {user_id: standing.rule for user_id, standing in session.standings.items()
             if standing.suspended}

    def styled(style: Style) -> set[int]:
        return {m.user_id for m in crowd if m.style is style}

    careless, constant, careful = (styled(Style.RANDOM), styled(Style.CONSTANT),
                                   styled(Style.CAREFUL))
    tally, seconds = session.tally, session.seconds
    sizes = sorted(stats.image_bytes)
    return BoxesSummary(
        annotators=options.annotators, items=options.items,
        regular_items=len(labels) - len(gold & {str(r["item_id"]) for r in labels}),
        items_labelled=labelled, answers=tally.answers, seconds=round(seconds, 2),
        answers_per_second=round(tally.answers / seconds, 1) if seconds else 0.0,
        precision=round(matched / drawn, 4) if drawn else 1.0,
        recall=round(matched / true_boxes, 4) if true_boxes else 1.0,
        mean_iou=round(sum(ious) / len(ious), 4) if ious else 0.0,
        empty_right=round(empty_right / empty, 4) if empty else None,
        careless=len(careless), careless_stopped=len(careless & rules.keys()),
        constant=len(constant), constant_stopped=len(constant & rules.keys()),
        careful_stopped=len(careful & rules.keys()),
        opened=stats.opened, submitted=stats.submitted, nothing_taps=stats.nothing_taps,
        image_kb=round(sizes[len(sizes) // 2] / 1024, 1) if sizes else 0.0,
        stopped_by_rule=dict(sorted(Counter(str(rule) for rule in rules.values()).items())),
        api_calls=session.api_calls, export_dir=str(options.out / "exports"),
    )


def describe_boxes_summary(summary: BoxesSummary) -> str:
    """Return the summary as the lines the demo prints."""
    careful = summary.annotators - summary.careless - summary.constant
    rules = ", ".join(f"{rule} {count}" for rule, count in summary.stopped_by_rule.items())
    empty = ("" if summary.empty_right is None
             else f", empty pictures left empty {summary.empty_right:.0%}")
    return "\n".join([
        f"items labelled    {summary.items_labelled} of {summary.regular_items} "
        f"(and {summary.items - summary.regular_items} gold items)",
        f"answers           {summary.answers} ({summary.answers_per_second}/s): "
        f"{summary.submitted} posted from the Mini App, {summary.nothing_taps} "
        f"\"Nothing to mark\" taps",
        f"consensus boxes   precision {summary.precision:.1%}, recall {summary.recall:.1%} "
        f"at IoU {IOU} against the hidden truth, mean IoU {summary.mean_iou:.2f}{empty}",
        f"quality control   stopped {summary.careless_stopped} of {summary.careless} careless "
        f"(random boxes), {summary.constant_stopped} of {summary.constant} always-nothing "
        f"and {summary.careful_stopped} of {careful} careful annotators",
        f"                  (suspensions by rule: {rules or 'none'})",
        f"data              median picture {summary.image_kb} KB per task",
        f"Bot API calls     {summary.api_calls}",
        f"export written to {summary.export_dir}",
    ])


def boxes_summary_json(summary: BoxesSummary) -> str:
    """Return the summary as one JSON object."""
    return json.dumps(dataclasses.asdict(summary))
