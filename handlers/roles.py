"""Roles from the chat: /promote, /demote, a forwarded message, and /audit (admins only)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageOriginUser, Update

from annotation.access import Actor
from annotation.models import Role
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.editing import replace_text
from handlers.menus import publish_menu
from handlers.services import Translations
from handlers.session import language_of


def _target(update: Update, args: list[str] | None) -> tuple[int, str] | None:
    """Return the user named by an id argument or by the forwarded message replied to."""
    message = update.effective_message
    if args and args[0].isdigit():
        return int(args[0]), ""
    replied = message.reply_to_message if message is not None else None
    origin = replied.forward_origin if replied is not None else None
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.id, origin.sender_user.full_name
    return None


def _confirmation(t: Translations, user_id: int, role: Role) -> str:
    if role is Role.COORDINATOR:
        return t.gettext("User {id} is now a coordinator.").format(id=user_id)
    return t.gettext("User {id} is no longer a coordinator.").format(id=user_id)


async def _change(update: Update, context: AnnobotContext, granted: bool) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    _language, t = await language_of(update, context)
    target = _target(update, context.args)
    if target is None:
        staff = await context.services.access.staff(user.id)
        names = ", ".join(f"{m.name or m.id} ({m.id})" for m in staff) or "–"
        await message.reply_text(
            t.gettext("Send /promote <user id> or /demote <user id>, or forward me a message "
                      "of the person. Coordinators now: {names}").format(names=names))
        return
    role = await context.services.access.set_coordinator(user.id, target[0], target[1], granted)
    await message.reply_text(_confirmation(t, target[0], role))
    await publish_menu(context.bot, await context.services.access.member(target[0]),
                       context.services.catalogs)


async def cmd_promote(update: Update, context: AnnobotContext) -> None:
    """Make someone a coordinator (admins only)."""
    await _change(update, context, granted=True)


async def cmd_demote(update: Update, context: AnnobotContext) -> None:
    """Take the coordinator role back (admins only)."""
    await _change(update, context, granted=False)


async def on_forwarded(update: Update, context: AnnobotContext) -> None:
    """Offer to promote or demote the author of a forwarded message (admins only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    origin = message.forward_origin
    person = origin.sender_user if isinstance(origin, MessageOriginUser) else None
    found = await context.services.access.lookup(user.id, person.id if person else None)
    _language, t = await language_of(update, context)
    if found is None or person is None:
        await message.reply_text(t.gettext(
            "This person hides their account in forwarded messages. Ask them to send /start, "
            "then use /promote <user id>."))
        return
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("Make coordinator"), callback_data=encode(
            Callback(Action.ROLE, subject=person.id, option=1))),
        InlineKeyboardButton(t.gettext("Remove coordinator"), callback_data=encode(
            Callback(Action.ROLE, subject=person.id, option=0))),
    ]])
    await message.reply_text(t.gettext("{name} (user id {id}): change their role?").format(
        name=person.full_name, id=person.id), reply_markup=keyboard)


async def on_role_button(update: Update, context: AnnobotContext) -> None:
    """Apply a role button (the admin check is made again, whatever the button says)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    role = await context.services.access.set_coordinator(user.id, callback.subject, "",
                                                         callback.option == 1)
    _language, t = await language_of(update, context)
    await query.answer()
    await replace_text(context.bot, query, _confirmation(t, callback.subject, role))


async def cmd_audit(update: Update, context: AnnobotContext) -> None:
    """Show the latest entries of the audit log (admins only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    entries = await context.services.access.recent(user.id)
    _language, t = await language_of(update, context)
    if not entries:
        await message.reply_text(t.gettext("The audit log is empty."))
        return
    lines = [f"{e.at:%Y-%m-%d %H:%M} {e.actor_id} {e.action.value} {e.subject} {e.details}"
             for e in entries]
    await message.reply_text("\n".join(lines)[:4000])


def console_help_lines(actor: Actor, t: Translations) -> list[str]:
    """Return the /help lines of the console commands this actor may use."""
    _ = t.gettext
    lines = [_("/earnings – your earnings"), _("/mute – no more reminders (/unmute)")]
    if actor.is_coordinator:
        lines += [
            _("Send a project's settings (.toml) and items (.csv, .jsonl or .zip) as files, "
              "or /newproject to answer questions"),
            _("/preview [project] – see tasks as annotators do"),
            _("/open, /pause, /close [project] – change a project's status"),
            _("/broadcast all|project <id>|idle <days> <message> – message annotators "
              "(or a photo with that caption)"),
            _("/reminders [project] <hours|off> – remind idle annotators"),
            _("/stats [project] – progress, speed, agreement, with a chart"),
        ]
    if actor.role is Role.ADMIN:
        lines += [_("/promote, /demote <user id> – coordinators (or forward me their message)"),
                  _("/payouts [YYYY-MM] – the payout file; mark the period paid"),
                  _("/audit – who did what")]
    return lines
