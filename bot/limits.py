"""Every limit the Discord layer works within, in one place.

Three kinds: Discord's own (message, embed, component and autocomplete sizes, which it
rejects when exceeded), the budgets the renderers keep inside them, and the bot's runtime
limits (:class:`Limits`: answer workers, queue length, questions in flight per user, when
to say "queued", how long shutdown waits). Nothing here imports anything.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------- Discord's limits
# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
#: Autocomplete: at most 25 choices; names and values of 1-100 characters.
MAX_CHOICES = 25
CHOICE_LIMIT = 100
#: Buttons: labels of at most 80 characters, 5 buttons per action row.
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5

# ---------------------------------------------------------------- rendering budgets
#: A reply message (error, report) is kept under this many characters.
MESSAGE_LIMIT = 1900
#: Below this many characters a shortened quote says too little to be worth showing.
MIN_QUOTE_CHARS = 120
#: The "article, paragraph N" line under a quote.
SOURCE_CHARS = 200
#: Room kept for an embed's footer while quotes are added.
FOOTER_RESERVE = 160
#: Room kept in the last text message for the "N more quotes did not fit" note.
NOTE_RESERVE = 80
#: An answer in plain text (DMs, mentions without Embed Links) takes at most this many messages.
MAX_TEXT_MESSAGES = 3
#: One line of the /speakers list.
LINE_LIMIT = 300
#: Page and quote numbers in button custom ids: at most 3 digits (an answer has < 1000 quotes).
MAX_NUMBER = 999
#: Paragraph buttons under one page of an answer (two rows of five).
MAX_PARAGRAPH_BUTTONS = 10
#: Characters of an article option (id or title) and of a speaker option.
ARTICLE_OPTION_CHARS = 200
SPEAKER_OPTION_CHARS = 100

# ---------------------------------------------------------------- the bot's runtime limits
#: Estimated seconds in the answer queue from which a user is told the question is queued.
BUSY_NOTE_AFTER = 5.0
#: On shutdown, how long questions already being answered may take to finish and be sent
#: (under the 10 s a process manager such as Docker waits before killing the process).
DRAIN_SECONDS = 8.0


@dataclass(frozen=True, slots=True)
class Limits:
    """How much work the bot takes on at once (see docs/reliability.md)."""

    #: Threads answering questions (``bot/answer_queue.py``).
    answer_workers: int = 2
    #: Questions of one user waiting for an answer at a time (``bot/ratelimit.py``).
    per_user_in_flight: int = 3
    #: Questions waiting in the answer queue before new ones are refused as "too busy".
    max_pending: int = 500
    busy_note_after: float = BUSY_NOTE_AFTER
    drain_seconds: float = DRAIN_SECONDS
