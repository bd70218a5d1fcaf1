"""/earnings for annotators; /payouts (a payout file and "mark paid") for admins."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from annotation.models import AnnotatorId
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.session import language_of


def _money(amount: float, currency: str) -> str:
    text = f"{amount:,.2f}".rstrip("0").rstrip(".").replace(",", " ")
    return f"{text} {currency}"


async def cmd_earnings(update: Update, context: AnnobotContext) -> None:
    """Show the annotator's balance: earned, paid and still due."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    balances = await context.services.earnings.balance(AnnotatorId(user.id))
    _language, t = await language_of(update, context)
    if not balances:
        await message.reply_text(t.gettext("No earnings yet: each accepted answer earns the "
                                           "project's reward."))
        return
    lines = [t.gettext("Accepted answers: {n}. Earned: {earned}. Paid: {paid}. "
                       "To be paid: {due}.").format(
        n=b.answers, earned=_money(b.earned, b.currency), paid=_money(b.paid, b.currency),
        due=_money(b.due, b.currency)) for b in balances]
    await message.reply_text("\n".join(lines))


def _period_code(period: str) -> int:
    return int(period.replace("-", ""))


async def cmd_payouts(update: Update, context: AnnobotContext) -> None:
    """Send a period's payout file with a button to mark it paid (admins only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    period = context.args[0] if context.args else None
    payout = await context.services.earnings.payout_file(user.id, period)
    _language, t = await language_of(update, context)
    totals = ", ".join(_money(amount, currency) for currency, amount in payout.total().items())
    caption = t.gettext("Payouts for {period}: {n} annotators, {total}.").format(
        period=payout.period, n=len(payout.lines), total=totals or "0")
    keyboard = None
    if payout.already_paid:
        caption += "\n" + t.gettext("This period is already marked paid.")
    elif payout.lines:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("Mark {period} paid").format(period=payout.period),
            callback_data=encode(Callback(Action.PAY, subject=_period_code(payout.period))))]])
    await message.reply_document(payout.csv, filename=f"payouts-{payout.period}.csv",
                                 caption=caption, reply_markup=keyboard)


async def on_pay_button(update: Update, context: AnnobotContext) -> None:
    """Mark a period paid (the admin check is made again on the server)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    code = str(callback.subject)
    period = f"{code[:4]}-{code[4:]}"
    added = await context.services.earnings.mark_paid(user.id, period)
    _language, t = await language_of(update, context)
    await query.answer()
    await query.edit_message_caption(t.gettext("{period} marked paid: {n} payments recorded.")
                                     .format(period=period, n=added))
