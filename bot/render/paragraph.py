"""The whole paragraph a quote comes from (the "¶" button), the quote in bold.

When the article has changed since the answer, the paragraph is shown as it is now; when
it is no longer indexed, the card says so and repeats the quote.
"""

from __future__ import annotations

from bot.limits import DESCRIPTION_LIMIT, TITLE_LIMIT
from bot.render.card import INFO_COLOUR, Card
from bot.render.format import bold, escape_markdown, fit, truncate
from index.models import Quote

GONE_ARTICLE = (
    "That article is no longer indexed (it was removed or renamed), so I cannot show "
    "the paragraph. The quote was: “{quote}”"
)
CHANGED = "The article has changed since this answer; this is it now."
IN_BOLD = "The quoted sentence is in bold."


def paragraph_card(quote: Quote, paragraph_text: str | None) -> Card:
    """The whole paragraph a quote comes from, with the quoted sentence in bold."""
    title = truncate(f"{quote.article_title}, paragraph {quote.paragraph}", TITLE_LIMIT)
    if paragraph_text is None:
        text = GONE_ARTICLE.format(quote=quote.text)
        return Card(title, INFO_COLOUR, description=fit(text, DESCRIPTION_LIMIT, escape_markdown))
    at = paragraph_text.find(quote.text)
    if at < 0 or not quote.text:
        return Card(
            title, INFO_COLOUR, description=fit(paragraph_text, DESCRIPTION_LIMIT), footer=CHANGED
        )
    before, after = paragraph_text[:at], paragraph_text[at + len(quote.text) :]
    quoted = bold(quote.text)
    room = DESCRIPTION_LIMIT - len(quoted)
    if room < 40:  # the quote alone fills the embed
        return Card(title, INFO_COLOUR, description=fit(quote.text, DESCRIPTION_LIMIT, bold))
    head = fit(before[::-1], room // 2, lambda t: escape_markdown(t[::-1]))
    tail = fit(after, room - len(head))
    return Card(title, INFO_COLOUR, description=f"{head}{quoted}{tail}", footer=IN_BOLD)
