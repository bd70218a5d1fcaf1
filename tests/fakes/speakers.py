"""In-memory speakers (``annotation.ports.speakers``), as ``SqliteSpeakers`` does them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId
from annotation.records import Speaker
from tests.fakes.state import FakeState, IntegrityError, SpeakerRow, from_ts, to_ts


def _speaker(row: SpeakerRow) -> Speaker:
    return Speaker(AnnotatorId(row.annotator_id), row.gender, row.age_band, row.region,
                   None if row.consented_at is None else from_ts(row.consented_at),
                   None if row.withdrawn_at is None else from_ts(row.withdrawn_at))


class FakeSpeakerRepository:
    """The ``speakers`` table, with the items and answers a withdrawal concerns."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, annotator_id: AnnotatorId) -> Speaker | None:
        """Return what the speaker said about themselves, or None."""
        row = self._state.speakers.get(annotator_id)
        return _speaker(row) if row else None

    async def save(self, speaker: Speaker) -> None:
        """Store the speaker's row, replacing the one before."""
        if speaker.annotator_id not in self._state.annotators:
            raise IntegrityError("FOREIGN KEY constraint failed")
        fields = asdict(speaker)
        for name in ("consented_at", "withdrawn_at"):
            fields[name] = None if fields[name] is None else to_ts(fields[name])
        self._state.speakers[speaker.annotator_id] = SpeakerRow(**fields)

    async def open_items(self, annotator_id: AnnotatorId) -> Sequence[ItemId]:
        """Return the items made from the annotator's own work that are still handed out,
        in id order."""
        return [ItemId(item.id) for item in sorted(self._state.items.values(),
                                                   key=lambda item: item.id)
                if item.author == annotator_id and not item.settled]

    async def withdrawn(self, project_id: ProjectId) -> frozenset[AssignmentId]:
        """Return the project's answers (by assignment) that their speakers withdrew."""
        speakers = self._state.speakers
        return frozenset(
            AssignmentId(answer.assignment_id) for answer in self._state.answers.values()
            if answer.project_id == project_id and answer.annotator_id in speakers
            and (cutoff := speakers[answer.annotator_id].withdrawn_at) is not None
            and answer.answered_at <= cutoff)

    async def of_project(self, project_id: ProjectId) -> Mapping[AnnotatorId, Speaker]:
        """Return the details of the speakers who answered in the project and consent to
        them now."""
        answered = {answer.annotator_id for answer in self._state.answers.values()
                    if answer.project_id == project_id}
        found = {}
        for annotator_id in sorted(self._state.speakers):
            speaker = _speaker(self._state.speakers[annotator_id])
            if (annotator_id in answered and speaker.consented_at is not None
                    and not speaker.withdrawn):
                found[speaker.annotator_id] = speaker
        return found
