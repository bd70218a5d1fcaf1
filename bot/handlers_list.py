"""Every handler the bot registers, in one list: commands, buttons and messages, by group.

PTB tries the groups in ascending order and, inside a group, runs only the first handler
that matches; a handler raising ``ApplicationHandlerStop`` stops the later groups. So:

- group ``GATE_GROUP`` (-100) holds the gate alone (``handlers/gate.py``), before every
  other group, the guided conversation's included: strangers and senders told to slow
  down stop there;
- group ``GUIDED_GROUP`` (-1) is the coordinator's guided project creation, which reads
  typed text before the task loop would take it as an answer;
- group 0 holds everything else, in the order written below: the buttons' patterns come
  from the callback codec (``handlers/callbacks.py``) and match exactly the data that
  decodes, so the catch-all button handler after them sees only forged, stale or foreign
  data; among messages the specific filters come before typed answers and unknown commands.

A new command, button or message handler is added here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import (
    admin,
    annotator,
    annotators_list,
    attachments,
    broadcast,
    earnings,
    exports,
    preview,
    project_upload,
    quality,
    reminders,
    roles,
    speakers,
    stats,
    task_flow,
)
from handlers.callbacks import LANGUAGE_PATTERN, QUALITY_PATTERN, TASK_PATTERN, Action, pattern
from handlers.errors import on_error
from handlers.gate import on_message_gate

GATE_GROUP = -100
GUIDED_GROUP = -1
MAIN_GROUP = 0
PRIVATE = filters.ChatType.PRIVATE
TYPED_TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE
# what answers no task (documents and broadcast photos are routed before): new messages only,
# so a live location's edits get no reply
ATTACHMENTS = (filters.PHOTO | filters.VIDEO | filters.VIDEO_NOTE | filters.ANIMATION
               | filters.Sticker.ALL | filters.LOCATION | filters.VENUE | filters.CONTACT
               | filters.POLL | filters.Dice.ALL | filters.GAME | filters.STORY
               | filters.PAID_MEDIA) & filters.UpdateType.MESSAGE & PRIVATE

Handler = BaseHandler[Any, Any, Any]

# Commands, private chats only (each handler checks the sender's role itself).
COMMANDS: dict[str, Callable[..., Any]] = {
    # everyone
    "start": annotator.cmd_start,
    "language": annotator.cmd_language,
    "me": annotator.cmd_me,
    "help": annotator.cmd_help,
    # coordinators and admins: projects, datasets, quality
    "projects": admin.cmd_projects,
    "export": exports.cmd_export,
    "annotators": annotators_list.cmd_annotators,
    # admins: roles and the audit log
    "promote": roles.cmd_promote,
    "demote": roles.cmd_demote,
    "audit": roles.cmd_audit,
    # the coordinator's console: project creation and lifecycle
    "newproject": project_upload.cmd_newproject,
    "cancel": project_upload.cmd_cancel,
    "preview": preview.cmd_preview,
    "open": preview.cmd_open,
    "pause": preview.cmd_pause,
    "close": preview.cmd_close,
    # the console: messages to annotators, statistics, pay
    "broadcast": broadcast.cmd_broadcast,
    "reminders": reminders.cmd_reminders,
    "mute": reminders.cmd_mute,
    "unmute": reminders.cmd_unmute,
    # speakers: details given once, recordings withdrawn
    "speaker": speakers.cmd_speaker,
    "withdraw": speakers.cmd_withdraw,
    "stats": stats.cmd_stats,
    "earnings": earnings.cmd_earnings,
    "payouts": earnings.cmd_payouts,
}


def handler_groups() -> list[tuple[int, list[Handler]]]:
    """Return every handler with its group, in the order PTB must try them."""
    return [
        # the gate: strangers and flooded senders stop here (ApplicationHandlerStop)
        (GATE_GROUP, [MessageHandler(PRIVATE, on_message_gate)]),
        # a project being created step by step takes the coordinator's typed text
        (GUIDED_GROUP, [MessageHandler(TYPED_TEXT, project_upload.on_guided_text)]),
        (MAIN_GROUP, [
            *(CommandHandler(name, callback, filters=PRIVATE)
              for name, callback in COMMANDS.items()),
            # buttons: one pattern per family or console action, from the codec
            CallbackQueryHandler(annotator.on_language_chosen, pattern=LANGUAGE_PATTERN),
            CallbackQueryHandler(quality.on_quality_button, pattern=QUALITY_PATTERN),
            CallbackQueryHandler(preview.on_preview_button, pattern=pattern(Action.PREVIEW)),
            CallbackQueryHandler(preview.on_lifecycle_button,
                                 pattern=pattern(Action.LIFECYCLE)),
            CallbackQueryHandler(broadcast.on_broadcast_button, pattern=pattern(
                Action.BROADCAST_SEND, Action.BROADCAST_CANCEL)),
            CallbackQueryHandler(earnings.on_pay_button, pattern=pattern(Action.PAY)),
            CallbackQueryHandler(roles.on_role_button, pattern=pattern(Action.ROLE)),
            CallbackQueryHandler(exports.on_export_button, pattern=pattern(Action.EXPORT)),
            CallbackQueryHandler(speakers.on_speaker_button, pattern=pattern(Action.SPEAKER)),
            CallbackQueryHandler(speakers.on_withdraw_button,
                                 pattern=pattern(Action.WITHDRAW)),
            CallbackQueryHandler(task_flow.on_task_button, pattern=TASK_PATTERN),
            # anything else (forged, stale, another bot's): "this button has expired"
            CallbackQueryHandler(task_flow.on_task_button),
            # messages: the specific ones first, then typed answers, then unknown commands
            # a document: a coordinator's project file, an audio file answering a recording
            # task, or refused (handlers/attachments.py)
            MessageHandler(filters.Document.ALL & PRIVATE, attachments.on_document),
            MessageHandler(filters.PHOTO & filters.CaptionRegex(r"^/broadcast(@\w+)?(\s|$)")
                           & PRIVATE, broadcast.on_broadcast_photo),
            # a voice note or audio, forwarded or not, answers a recording task (a forwarded
            # one is refused there: it is not the sender's own voice)
            MessageHandler((filters.VOICE | filters.AUDIO) & PRIVATE,
                           task_flow.on_voice_answer),
            MessageHandler(filters.FORWARDED & PRIVATE, roles.on_forwarded),
            # a photo, sticker, location…: the sender is told what the open task takes
            MessageHandler(ATTACHMENTS, attachments.on_attachment),
            MessageHandler(TYPED_TEXT, task_flow.on_typed_answer),
            MessageHandler(filters.COMMAND & PRIVATE, annotator.on_unknown_command),
        ]),
    ]


def add_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler of :func:`handler_groups`, and the error handler."""
    for group, handlers in handler_groups():
        application.add_handlers(handlers, group=group)
    application.add_error_handler(on_error)
