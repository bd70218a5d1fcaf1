"""How a recording task answers a voice message: what is wrong with it, or that it is in."""

from __future__ import annotations

import json
from collections.abc import Sequence

from annotation.media.speech import RecordingProblem, RecordingReason
from handlers.messages import N_
from handlers.services import Translations

REASONS: dict[RecordingReason, str] = {
    RecordingReason.TOO_SHORT: N_("It is too short: {seconds} s. Please read the whole text "
                                  "(at least {minimum} s)."),
    RecordingReason.TOO_LONG: N_("It is too long: {seconds} s (at most {maximum} s). Please "
                                 "read only the text."),
    RecordingReason.SILENT: N_("I can hardly hear any speech in it. Please speak close to the "
                               "phone, in a quiet place."),
    RecordingReason.TOO_QUIET: N_("It is too quiet ({level} dB). Please speak louder or "
                                  "closer to the phone."),
    RecordingReason.CLIPPED: N_("It is distorted, too loud ({percent}% of it clipped). "
                                "Please hold the phone a little further away."),
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def refusal_text(problems: Sequence[RecordingProblem], t: Translations) -> str:
    """Return why a recording was not accepted, each reason with its figures."""
    lines = [t.gettext("❌ This recording was not accepted:")]
    for problem in problems:
        params = {k: _number(v) for k, v in problem.params.items()}
        lines.append("• " + t.gettext(REASONS[problem.reason]).format(**params))
    lines.append(t.gettext("Please record it again and send a new voice message."))
    return "\n".join(lines)


def received_text(detail: str, t: Translations) -> str:
    """Return the acknowledgment of an accepted recording, with its length."""
    seconds = float(json.loads(detail).get("seconds", 0.0))
    return t.gettext("✅ Recording received ({seconds} s). To record it again, tap ↩ Undo "
                     "under the next task.").format(seconds=_number(round(seconds, 1)))
