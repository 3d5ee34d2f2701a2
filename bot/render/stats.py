"""/stats: answers and feedback since start (in memory) and all time (FEEDBACK_DB)."""

from __future__ import annotations

import time

from bot.answer_store import LiveStats, Totals
from bot.render.card import INFO_COLOUR, Card, Field
from bot.render.format import plural


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


def stats_card(live: LiveStats, totals: Totals) -> Card:
    """/stats: since start (in memory) and all time (FEEDBACK_DB)."""
    since = (
        f"started <t:{int(live.started)}:R>\n"
        f"{plural(live.questions, 'question')}: {live.answered} answered, "
        f"{live.abstained} abstained\n"
        f"feedback: {live.votes_up} 👍 · {live.votes_down} 👎\n"
        f"answer time: p50 {_ms(live.percentile(0.5))} · p95 {_ms(live.percentile(0.95))}"
    )
    all_time = (
        f"{plural(totals.questions, 'question')}: {totals.answered} answered, "
        f"{totals.abstained} abstained\n"
        f"feedback: {totals.votes_up} 👍 · {totals.votes_down} 👎 "
        "(one vote per person per answer)"
    )
    return Card(
        "Bot statistics",
        INFO_COLOUR,
        fields=(Field("Since start", since), Field("All time", all_time)),
        footer=f"as of {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
    )
