"""What the bot says: every sentence of its replies that is not part of an embed's layout.

Refusals, notes, reports and help live here, so wording changes in one file and the tests
can compare against the same constants. Messages the engine raises (``index.errors``)
arrive with their own text, free of Discord wording; ``refusal`` adds the Discord part.
"""

from __future__ import annotations

import math

from bot.limits import MESSAGE_LIMIT
from bot.render.format import escape_markdown, one_line, truncate
from index.errors import UnknownArticle

# ---------------------------------------------------------------- answers
NO_ANSWER = (
    "The article doesn't say. I only answer with sentences quoted from it, and none of "
    "them answers that."
)
NO_ANSWER_HINT = "Try asking about who said what, or about an event the article reports."
ANSWER_FOOTER = "Exact sentences from the article · /help"
HEDGED_TITLE = "Not sure"  # the title of a hedged answer: "Not sure: <question>"
HEDGED_INTRO = "The article may not answer this directly; the closest passages:"
HEDGED_FOOTER = "Closest passages, not a confirmed answer · /help"
SOURCE = "Source"  # "Source: [example.com](https://…)" for an article added from a link
WHO = "Who"  # "Who: Dmitry Peskov, Kremlin spokesman" above a "who said" answer
NO_TEXT = (
    "That message has no text to ask about: I use the message's text as the question "
    "(attachments, embeds and stickers are not read)."
)


def refusal(error: Exception) -> str:
    """What the bot replies for a domain error (an engine error or ``Busy``): its reason,
    and where to look next in Discord ("No article called 'x'. See /about for the list.")."""
    message = getattr(error, "message", str(error))
    if isinstance(error, UnknownArticle):
        return f"{message} See /about for the list."
    return message


def queued_note(seconds: float) -> str:
    """What a user at the back of a long queue is told while the question waits."""
    return (
        "I'm busy right now: your question is queued and should be answered in about "
        f"{max(1, math.ceil(seconds))} s."
    )


# ---------------------------------------------------------------- refusals and errors
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again."
SHUTTING_DOWN = "I'm restarting; please ask again in a minute."
QUEUE_CLOSED = "I'm shutting down; please ask again in a minute."
BATCH_CANCELLED = "I'm shutting down; please ask again."
NOT_HERE = "You can't use this command here."
BAD_VALUE = "That value is not valid for this command; see /help."
COMMAND_CHANGED = "That command has just changed; please try again in a minute."


def too_busy(retry_seconds: int) -> str:
    return f"I'm answering too many questions right now; please try again in {retry_seconds} s."


def too_fast(questions: int, seconds: float, retry_seconds: int) -> str:
    return (
        f"You're asking faster than I can take questions (up to {questions} every "
        f"{seconds:g} s). Please try again in {retry_seconds} s."
    )


def too_many_waiting(per_user: int) -> str:
    return (
        f"You already have {per_user} questions waiting for an answer; "
        "please wait for them before asking more."
    )


def not_admin(command: str) -> str:
    return f"Only server administrators (or users listed in ADMIN_USER_IDS) can use /{command}."


# ---------------------------------------------------------------- buttons
GONE = (
    "This answer has expired: I no longer have it saved (the answer database was reset). "
    "Please ask again."
)
NOT_IN_ANSWER = "That quote is not part of this answer."


def vote_recorded(emoji: str, *, first: bool, changed: bool) -> str:
    if first:
        return f"Thanks! Your {emoji} is recorded for this answer."
    if changed:
        return (
            f"Changed your vote to {emoji}. You still count once for this answer "
            "(your latest vote is kept)."
        )
    return f"You already gave this answer a {emoji}; it counts once."


# ---------------------------------------------------------------- reindex, uploads, removal
def reindexed(summary: str, *, others_within: float | None = None) -> str:
    """The /reindex reply; ``others_within`` s when other shard processes follow."""
    message = f"Reindexed {summary}."
    if others_within is not None:
        message += f" Processes serving the other shards switch to it within {others_within:g} s."
    return message


def reindex_failed(reason: str) -> str:
    return one_line(f"Reindex failed; the previous index is still answering: {reason}")


def build_failed(message: str) -> str:
    """The /reindex reply when the build itself failed (``index.errors.BuildFailed``): the
    engine's one line ("Index build failed: <why>. The previous index is still serving
    (<how stale>)."), which already says that answers go on."""
    return one_line(message)


NO_OWN_ARTICLES = (
    "This server has no articles of its own to rebuild: add one with /add url: or "
    "/reindex file:. The default articles are rebuilt by the bot's owners."
)


def nothing_changed(reason: str) -> str:
    return truncate(" ".join(f"Nothing changed: {reason}".split()), MESSAGE_LIMIT)


def _file(name: str) -> str:
    return f"'{truncate(name, 100)}'"


def not_an_article(name: str) -> str:
    return f"{_file(name)} is not an article file: attach a .txt, .md or .html file."


def empty_file(name: str) -> str:
    return f"{_file(name)} is empty."


def too_large(name: str, size: int, limit: int) -> str:
    mb = 1_048_576
    return f"{_file(name)} is {size / mb:.1f} MB; the limit is {limit / mb:.0f} MB."


def download_failed(filename: str, error: object) -> str:
    return f"I could not download '{filename}' ({error}); try again."


def added(filename: str, summary: str) -> str:
    return truncate(
        f"Added '{filename}' and reindexed: {summary}. /about lists the articles.", MESSAGE_LIMIT
    )


def removed(article: str, articles: int, paragraphs: int, sentences: int) -> str:
    return truncate(
        f"Removed '{article}' and reindexed: {articles} article(s) left, "
        f"{paragraphs} paragraphs, {sentences} sentences.",
        MESSAGE_LIMIT,
    )


# ---------------------------------------------------------------- help
HELP_TITLE = "Article quote bot"
HELP_TEXT = """\
**How to ask**
• `/ask question:` — I answer with sentences quoted exactly from the article, each with \
who said it (speaker, role, where) and the paragraph it comes from.
• `/ask question: private: True` — only you see the answer.
• Send me a direct message with your question, or mention me in a channel: \
`@{name} who closed the embassy?`
• `/ask question: article:` — only quote that article (start typing for suggestions).
• Right-click any message → Apps → **Ask the article**: its text is the question.
• Under each answer: **More** quotes, **¶** the whole paragraph, 👍/👎 whether it helped.
• `/speakers` — everyone the articles quote; `/quotes speaker:` — what one of them said.
• `/about` — which articles I know and when they were indexed.
• In a server I know the default articles plus that server's own; in a DM only the \
default ones, so ask about a server's article in that server.
• Server administrators: `/add url:` or `/reindex file:` to add an article to this \
server, `/remove`, `/reindex`, `/stats`.

I never write my own summary: if no sentence of the article answers, I say so. \
Questions can be up to 300 characters."""


def help_text(bot_name: str = "bot") -> str:
    return HELP_TEXT.format(name=escape_markdown(bot_name))
