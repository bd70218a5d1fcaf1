"""The Mini App page's own texts: one key per visible text, English msgids for extraction.

The page (``static/app.js``) shows nothing but these, looked up by key in the ``strings``
object of ``GET /api/task``, which the server fills with each msgid translated into the
annotator's language. Placeholders are ``str.format`` fields (``{n}``), filled by the page.
"""

from __future__ import annotations

from handlers.messages import N_

STRINGS: dict[str, str] = {
    "loading": N_("Loading…"),
    "load_failed": N_("Could not load the task. Check your connection and try again."),
    "image_failed": N_("Could not load the image. Check your connection and try again."),
    "retry": N_("Try again"),
    "submit": N_("Submit"),
    "sending": N_("Sending…"),
    "saved": N_("Saved"),
    "undo": N_("Undo"),
    "delete": N_("Delete"),
    "remove": N_("Remove"),
    "nothing": N_("Nothing to mark"),
    "nothing_confirm": N_("Tap again: nothing to mark"),
    "fit": N_("Fit"),
    "pan": N_("Pan"),
    "box_mode": N_("Box"),
    "point_mode": N_("Point"),
    "marks": N_("Marks: {n}"),
    "spans": N_("Spans: {n}"),
    "need_marks": N_("Mark something first, or tap “Nothing to mark”."),
    "need_marks_only": N_("Mark something first."),
    "hint_boxes": N_("Drag on the picture to draw a box. Tap a box to change it."),
    "hint_points": N_("Tap the picture to place a point."),
    "hint_spans": N_("Tap a word, then the last word, then a label."),
    "pick_label": N_("Now tap a label below."),
    # TRANSLATORS: overlapping spans are not allowed in this project
    "replaced": N_("Spans may not overlap: the new span replaced the old one."),
    "draft_restored": N_("Your unsaved work is back."),
    "offline": N_("You are offline. Your work is kept on this phone and sent when you are "
                  "back online."),
    "send_failed": N_("Could not send. Your work is kept on this phone: tap to try again."),
}
