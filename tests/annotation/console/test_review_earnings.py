"""When a recording earns: at the vote that first makes a reviewing project's checks
accept it, counted once however many projects review it."""

from __future__ import annotations

from annotation.console.earnings import accepted_at, reviewed_counts
from annotation.console.records import AnswerCount, ReviewVote
from annotation.models import AnnotatorId, AssignmentId, ProjectId
from tests.contract.crowd import at
from tests.contract.speech import check_spec

HOUR = 3600
RAVO = AnnotatorId(20)


def _vote(assignment: int, reviewer: int, value: str, hour: float) -> ReviewVote:
    return ReviewVote(AssignmentId(assignment), RAVO, "Ravo", ProjectId(1),
                      ProjectId(reviewer), value, at(hour * HOUR))


def test_an_answer_is_accepted_at_the_vote_that_first_accepts_it() -> None:
    votes = [_vote(1, 2, value, hour) for value, hour in (
        ("no", 1), ("yes", 2), ("unclear", 3), ("no", 4), ("yes", 5), ("yes", 6))]
    two, three = check_spec(votes=2), check_spec(votes=3)
    assert accepted_at(votes[:2], two) is None
    assert accepted_at(votes[:4], two) is None  # one "yes", two "no": rejected so far
    assert accepted_at(votes[:5], two) is None  # two each: a tie decides nothing
    assert accepted_at(votes, two) == at(6 * HOUR)
    assert accepted_at(votes, three) == at(6 * HOUR)
    assert accepted_at(votes[:5], three) is None
    assert accepted_at([], two) is None


def test_an_answer_reviewed_twice_counts_once_when_first_accepted() -> None:
    specs = {ProjectId(2): check_spec(votes=2), ProjectId(3): check_spec(votes=1)}
    votes = [_vote(1, 2, "yes", 1), _vote(1, 2, "yes", 9), _vote(1, 3, "yes", 5),
             _vote(7, 2, "yes", 1)]  # recording 7 has one "yes" of two needed
    once = [AnswerCount(RAVO, "Ravo", ProjectId(1), 1)]
    assert reviewed_counts(votes, specs, None, None) == once
    assert reviewed_counts(votes, specs, at(5 * HOUR), at(6 * HOUR)) == once
    assert reviewed_counts(votes, specs, None, at(5 * HOUR)) == []
    assert reviewed_counts(votes, specs, at(6 * HOUR), None) == []
    # a reviewing project that is gone, or a kind that reviews nothing, decides nothing
    assert reviewed_counts(votes, {}, None, None) == []
    from tests.projects import make_spec
    assert reviewed_counts(votes, {ProjectId(2): make_spec(), ProjectId(3): make_spec()},
                           None, None) == []
