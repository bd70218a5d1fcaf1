"""The export use case on the fake store for transcript projects whose spec sets the
normalization and the consensus: ``case = "keep"`` keeps case in the consensus, the
labels, the long table and the card; ``consensus = "medoid"`` labels each item with a
transcript somebody typed and names the method."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from annotation.access import AccessService
from annotation.datasets.records import ALL_FORMATS
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.spec import parse_spec
from annotation.models import AnnotatorId, MediaKind
from storage.datasets import open_dataset_folder
from tests.annotators import ADMIN, Services, join
from tests.fakes.store import FakeStore

BASE = ('name = "Voices"\nanswer_type = "transcript"\nquestion = "What is said?"\n'
        "overlap = 3\ngold_rate = 0.0\n")
# what three annotators type for each item (the city's capital letter is what matters)
TYPED = {
    "c1": ("Tonga any Antananarivo izy.", "tonga any Antananarivo izy",
           "Tonga any Antananarivo  izy"),
    "c2": ("a x c d", "a b y d", "a b c z"),  # each one word off: ROVER mends, medoid picks
}


async def exported(services: Services, store: FakeStore, extra: str, out: Path) -> Path:
    """Create a transcript project with ``extra`` spec keys, have three annotators type
    ``TYPED``, export it in every format and return the folder."""
    tasks, _annotators, projects = services
    drafts = [ItemDraft(line=n + 2, external_id=item, kind=MediaKind.TEXT, text=item,
                        media=None, gold_answer=None, explanation=None, training=False)
              for n, item in enumerate(TYPED)]
    project = await projects.create(parse_spec(BASE + extra), drafts)
    for n, user in enumerate((7, 8, 9)):
        await join(services, user, project.invite_code)
        task = await tasks.current_task(AnnotatorId(user))
        while task is not None:
            await tasks.answer_typed(AnnotatorId(user), TYPED[task.item.external_id][n],
                                     f"m{user}-{task.item.id}")
            task = await tasks.current_task(AnnotatorId(user))
    access = AccessService(store, clock=lambda: datetime.now(UTC), admins={ADMIN})
    service = DatasetService(store, access, clock=lambda: datetime.now(UTC),
                             folders=open_dataset_folder)
    return (await service.export(ADMIN, ExportRequest(project.id, ALL_FORMATS), out)).folder


def table(path: Path) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    return {row["item_id"]: row for row in rows}


def long_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


async def test_case_kept_stays_in_the_consensus_and_every_table(
        services: Services, store: FakeStore, tmp_path: Path) -> None:
    folder = await exported(services, store, 'case = "keep"\n', tmp_path / "keep")
    labels = table(folder / "tables/labels.csv")
    assert labels["c1"]["label"] == "Tonga any Antananarivo izy"
    items = table(folder / "tables/transcripts/items.csv")
    assert items["c1"]["consensus"] == "Tonga any Antananarivo izy"
    # "tonga" against "Tonga": one character apart once case counts
    assert float(items["c1"]["pairwise_cer"]) > 0
    normalized = [r["normalized"] for r in long_rows(folder / "tables/transcripts/long.csv")
                  if r["item_id"] == "c1"]
    assert normalized == ["Tonga any Antananarivo izy", "tonga any Antananarivo izy",
                          "Tonga any Antananarivo izy"]
    card = (folder / "huggingface/transcripts/items/README.md").read_text(encoding="utf-8")
    assert "(punctuation, spaces folded" in card


async def test_by_default_case_is_folded(services: Services, store: FakeStore,
                                         tmp_path: Path) -> None:
    folder = await exported(services, store, "", tmp_path / "fold")
    assert table(folder / "tables/labels.csv")["c1"]["label"] == "tonga any antananarivo izy"
    items = table(folder / "tables/transcripts/items.csv")
    assert float(items["c1"]["pairwise_cer"]) == 0
    assert table(folder / "tables/labels.csv")["c2"]["method"] == "rover"
    assert table(folder / "tables/labels.csv")["c2"]["label"] == "a b c d"  # nobody typed it


async def test_the_medoid_labels_with_a_typed_transcript(services: Services, store: FakeStore,
                                                         tmp_path: Path) -> None:
    folder = await exported(services, store, 'consensus = "medoid"\n', tmp_path / "medoid")
    labels = table(folder / "tables/labels.csv")
    assert labels["c2"]["method"] == "medoid"
    assert labels["c2"]["label"] in TYPED["c2"]
    card = (folder / "huggingface/transcripts/items/README.md").read_text(encoding="utf-8")
    assert "medoid" in card
