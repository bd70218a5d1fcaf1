"""/stats for coordinators: a project's numbers, and a chart drawn off the event loop."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence

from telegram import Update
from telegram.constants import ParseMode

from annotation.console.stats import (
    ACCURACY_BUCKETS,
    HOURS_SHOWN,
    DigestLine,
    ProjectStats,
    progress_series,
)
from handlers.charts import ChartTexts, draw_chart
from handlers.context import AnnobotContext
from handlers.services import Translations
from handlers.session import language_of

CAPTION_LIMIT = 1024


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


def stats_text(stats: ProjectStats, t: Translations) -> str:
    """Render a project's statistics (HTML)."""
    counts = stats.counts
    buckets = ", ".join(
        f"{round(100 * low)}–{min(100, round(100 * high))}%: {n}"
        for (low, high), n in zip(ACCURACY_BUCKETS, stats.accuracy_buckets, strict=True))
    top = "\n".join(f"{i}. {html.escape(s.name or str(s.annotator_id))}: {s.answers} "
                    f"({_percent(s.accuracy)})" for i, s in enumerate(stats.top, 1))
    lines = [
        f"<b>{html.escape(stats.project.spec.name)}</b> ({stats.project.status.value})",
        t.gettext("Progress: {percent} ({complete} of {items} items complete)").format(
            percent=_percent(stats.progress), complete=counts.complete, items=counts.items),
        t.gettext("Answers: {total}; last hour: {hour}; per hour (24 h): {rate}").format(
            total=counts.answers, hour=stats.last_hour, rate=f"{stats.per_hour:.1f}"),
        t.gettext("Agreement: {percent}").format(percent=_percent(stats.agreement)),
        t.gettext("Gold accuracy (annotators): {buckets}").format(buckets=buckets),
    ]
    if top:
        lines += [t.gettext("Top annotators:"), top]
    return "\n".join(lines)


async def cmd_stats(update: Update, context: AnnobotContext) -> None:
    """Show a project's statistics with a chart (coordinators only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    project = await services.lifecycle.find(user.id, " ".join(context.args or []))
    stats = await services.stats.project_stats(user.id, project.id)
    _language, t = await language_of(update, context)
    texts = ChartTexts(stats.project.spec.name, t.gettext("Progress (%)"),
                       t.gettext("Answers per hour"),
                       t.gettext("last {n} hours").format(n=HOURS_SHOWN))
    series = progress_series(stats.hourly, stats.counts.counted,
                             stats.counts.items * stats.project.spec.overlap)
    chart = await asyncio.to_thread(draw_chart, series, [h.answers for h in stats.hourly],
                                    texts)
    text = stats_text(stats, t)
    if len(text) <= CAPTION_LIMIT:
        await message.reply_photo(chart, caption=text, parse_mode=ParseMode.HTML)
        return
    await message.reply_text(text, parse_mode=ParseMode.HTML)
    await message.reply_photo(chart)


def digest_text(lines: Sequence[DigestLine], t: Translations) -> str:
    """Render the coordinators' daily digest (HTML)."""
    parts = [t.gettext("<b>Daily digest</b>")]
    for line in lines:
        parts.append(
            f"\n<b>{html.escape(line.project.spec.name)}</b> ({line.project.status.value})\n"
            + t.gettext("Progress: {percent}; answers in the last 24 h: {n}").format(
                percent=_percent(line.progress), n=line.answers_today))
        if line.new_suspensions:
            parts.append(t.ngettext("{n} annotator suspended in the last 24 h",
                                    "{n} annotators suspended in the last 24 h",
                                    line.new_suspensions).format(n=line.new_suspensions))
        if line.gold_exhausted:
            parts.append(t.ngettext(
                "Gold running out: {n} active annotator has seen every gold item",
                "Gold running out: {n} active annotators have seen every gold item",
                line.gold_exhausted).format(n=line.gold_exhausted))
    return "\n".join(parts)
