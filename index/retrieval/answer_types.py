"""What kind of answer a question wants (a number, a time, a place, a person), and
which sentences offer one. A weak, generic signal the ranker adds to similarity."""

from __future__ import annotations

import re

from index.models import Sentence
from index.parsing.attribution import lexicon as lx
from index.retrieval.aliases import aliases
from index.retrieval.question import SPEECH_VERBS
from index.search.lexical import STOPWORDS, stem

_QUESTION_TYPES = (
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|far|big|large|old|often)\b"
            r"|\bwhat (?:number|percentage|share)\b",
            re.IGNORECASE,
        ),
    ),
    ("time", re.compile(r"\bwhen\b|\bwhat (?:time|day|date|year)\b|\bhow soon\b", re.IGNORECASE)),
    (
        "place",
        re.compile(r"\bwhere\b|\bwhich (?:city|country|region|town|area|place)\b", re.IGNORECASE),
    ),
    ("person", re.compile(r"\bwho\b|\bwhose\b|\bwhom\b", re.IGNORECASE)),
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
#: Numbers in words from two to ninety ("twenty-five" is two of them).
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_NUMBER = re.compile(
    rf"\d|\b(?:one|{_NUMBER_WORDS}|hundred|hundreds|thousand|thousands|million|millions|"
    r"billion|dozen|dozens|half|double|twice)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    rf"\b(?:{_DAYS}|{_MONTHS}|yesterday|today|tonight|overnight|morning|evening|afternoon|"
    r"week|weeks|month|months|year|years|hours?|days?|since|until|ago|after|before|"
    r"a\.m\.|p\.m\.|\d{4}|\d{1,2}(?::\d{2})?\s?(?:am|pm))\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(?:in|at|near|into|from|to|across|along|outside|towards?)\s+(?:the\s+)?[A-Z][\w'’-]+"
    r"|\b(?:region|city|town|country|area|border|capital|territory|province|state|county)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][\w'’-]+)+")


def question_type(question: str) -> str | None:
    """The kind of answer a question asks for, when its wording says so."""
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return name
    return None


def sentence_types(sentence: Sentence) -> frozenset[str]:
    """The kinds of answer a sentence can give."""
    text = sentence.text
    types = set()
    if _NUMBER.search(text):
        types.add("number")
    if _TIME.search(text):
        types.add("time")
    if _PLACE.search(text):
        types.add("place")
    if sentence.attribution.speaker or _NAME.search(text[1:]):
        types.add("person")
    return frozenset(types)


# ------------------------------------------------------------------ answer slots
# A finer check than the type: "how many tanks" wants a count *of tanks*, "how much did
# she pay" an amount of money, "what time" a clock time, "how long" a duration. A passage
# with some number, or some time word, does not fill such a slot; a near-topic question
# the article cannot answer usually lands on exactly such a passage.
_HOW_MANY = re.compile(
    r"\bhow many\s+(?:of\s+)?(?:the\s+|these\s+|those\s+|their\s+)?"
    r"([a-z'’-]+(?:\s+[a-z'’-]+){0,2})",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
_MONEY_WORDS = re.compile(  # words that ask for money only ("charge", "bill", "fine" need not)
    r"\b(?:pay|pays|paid|cost|costs|costing|earn|earns|earned|fined|worth|spend|spent|price|"
    r"priced|salary|salaries|wage|wages|owe|owed|money|fee|fees|funding|budget)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$£€¥]\s?\d|\d[\d,.]*\s?(?:[kmb]n?|bn|million|billion|thousand)?\s*"
    r"(?:dollars?|pounds?|euros?|pence|cents?|yen|yuan|francs?|rupees?|crowns?|lira|lire|"
    r"marks?|rubles?|roubles?|pesos?|shillings?|dinars?|rand|kron[aeo]r?|zlotys?|won|guineas?)\b"
    r"|\b\d[\d,.]*p\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}:\d{2}\b|\bo['’]clock\b"
    r"|\bnoon\b|\bmidnight\b|\bdawn\b|\bdusk\b|\b(?:at|by|in the|during the|each|every)\s+"
    r"(?:night|morning|afternoon|evening|daybreak|sunrise|sunset)\b",
    re.IGNORECASE,
)
#: A large number however written: "14 million", "2.5bn", "a thousand".
_LARGE = re.compile(r"\b(?:\d[\d,.]*\s?|a\s)(?:million|billion|trillion|thousand|bn|m)\b", re.I)
_DURATION = re.compile(
    rf"\b(?:\d[\d,.]*|an?|one|{_NUMBER_WORDS}|several|few|many|dozens? of|hundreds of)\s+"
    r"(?:more\s+)?(?:-\s*)?"
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries)\b"
    r"|\b(?:\d+|\w+)-(?:second|minute|hour|day|week|month|year)\b"
    rf"|\b(?:until|till|through|into)\s+(?:next\s+|the\s+end\s+of\s+)?"
    rf"(?:{_DAYS}|{_MONTHS}|week|month|year|summer|winter|spring|autumn)\b"
    r"|\b(?:until further notice|indefinitely|temporarily|permanently|for good|for now|"
    r"for the (?:time being|foreseeable future)|for (?:a|an|the) (?:while|time))\b"
    r"|\b(?:since|until|till|through|into)\s+(?:\w+\s+){0,3}?"
    r"(?:(?:1[0-9]|20)\d\d|century|decade|war|reign)",
    re.IGNORECASE,
)
_COUNT_WORD = re.compile(
    _NUMBER.pattern + r"|\b(?:dozens|scores|hundreds|thousands|several|no)\b", re.IGNORECASE
)
#: A count: a number that is not a year or a day of the month.
_COUNT = re.compile(
    rf"(?<![\w.])\d[\d,.]*(?!\w)|\b(?:{_NUMBER_WORDS}|hundred|hundreds|thousand|thousands|"
    r"million|dozen|dozens|none|zero|single|both|pair|twice|thrice)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b"
)
#: "When did …", "what year …", "what date …" (not "since when", "when asked").
_WHEN = re.compile(
    r"^\W*when\b(?![^,]*,\s*(?:what|which|who|whom|how|where|why)\b)"
    r"|\bwhat (?:year|date|day|month)\b",
    re.IGNORECASE,
)
#: A date or a time: a day, a month, a year, a clock time, or words that place an event.
_DATE = re.compile(
    rf"\b(?:{_DAYS}|{_MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b"
    r"|\b(?:1[0-9]|20)\d\d(?:s)?\b|\b\d{1,2}(?:st|nd|rd|th)\b|\d{1,2}/\d{1,2}"
    r"|\b(?:yesterday|today|tonight|tomorrow|overnight|ago|recently|soon|later|earlier|once|"
    r"now|currently|weekend|spring|summer|autumn|fall|winter|century|centuries|decade|decades|"
    r"year|years|month|months|week|weeks|morning|afternoon|evening|night|dawn|noon|midnight|"
    r"era|age|period|reign|during|when|after|before|since|until|while|first|last|next)\b"
    r"|\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\b|p\.?m\b)",
    re.IGNORECASE,
)
_NOUN_STOP = frozenset(
    "are were is was do does did have has had will would can could should may might must "
    "been be being get got there they it he she we you i in on at to for from by with about "
    "than more of".split()
)


def _head_noun(phrase: str) -> str | None:
    """The counted noun of "how many …": the last word before a verb or preposition."""
    taken: list[str] = []
    for word in phrase.lower().split():
        if word in _NOUN_STOP:
            break
        taken.append(word)
    return taken[-1] if taken else None


def _counted(noun: str, text: str) -> bool:
    """A number (or a count word) among the four words before ``noun`` or its stem."""
    target = stem(noun)
    words = re.findall(r"[\w'’$£€.,-]+", text)
    for at, word in enumerate(words):
        if stem(word.lower().strip(".,")) != target:
            continue
        if any(_COUNT_WORD.search(w) for w in words[max(0, at - 4) : at]):
            return True
    return False


#: Words after a count that is not the count of a noun next to it: a link to what it
#: counts ("11 of the 12"), or a verb or preposition after a count standing alone.
_NOT_COUNTED_NOUN = _NOUN_STOP | frozenset("of to and or per percent the a an each apiece".split())


#: Nouns of "how many …" that any kind of person answers.
_PEOPLE_HEADS = frozenset("people persons men women children adults individuals".split())


def _uncounted(question: str, noun: str, text: str) -> bool:
    """``noun`` is named in ``text``, yet every count there is the count of another noun
    ("sending mines, along with 20 tanks"). A count followed by a word that is no noun
    ("5,000 to 30,000 were killed") may count anything, so it leaves the slot open; so does
    a count followed by any word of the question ("homes lost power" over "3,400 homes":
    the guessed noun can be the question's object) and, for people, a count of any kind of
    person ("how many people" over "14 residents", "how many victims" over "14 people")."""
    target = stem(noun)
    words = re.findall(r"[\w'’$£€.,-]+", _YEAR.sub(" ", text))
    stems = [stem(w.lower().strip(".,")) for w in words]
    if noun.lower() in STOPWORDS or target not in stems:
        return False  # "how many ships crossed the …": no noun was found
    asked = {stem(w) for w in re.findall(r"[\w'’-]+", question.lower()) if w not in STOPWORDS}
    people = noun.lower() in _PEOPLE_HEADS or _person(noun)  # "how many victims"
    counts = [at for at, w in enumerate(words) if _COUNT.fullmatch(w.strip(".,"))]
    for at in counts:
        after = stems[at + 1 : at + 5]  # "11 of the then 12 member states", "Four Great Schools"
        if target in after or asked.intersection(after) or not words[at + 1][:1].isalpha():
            return False
        if after[0] in _NOT_COUNTED_NOUN or words[at].endswith((",", ".")):
            return False  # "5,000 to 30,000 were killed", "none of the treaties"
        if people and any(_person(w) for w in words[at + 1 : at + 3]):
            return False  # "14 residents", "20 local firefighters"
    return bool(counts)


def _person(word: str) -> bool:
    """A plural noun of people: "residents", "firefighters", "historians"."""
    word = word.lower().strip(".,")
    single = word.removesuffix("s")
    return (
        word in _PEOPLE
        or _PEOPLE_ENDING.search(word) is not None
        or single in lx.PERSON_NOUNS
        or single in lx.agent_nouns()
    )


#: Units a number measures in rather than counts things by: time, distance, weight, area,
#: shares and scores ("11 hours", "20 mph", "14%"): "how many witnesses" is not "11 hours".
_UNITS = frozenset(
    (
        "second seconds minute minutes hour hours day days night nights week weeks month "
        "months year years decade decades century centuries percent per cent percentage "
        "mph kph km kilometres kilometers mile miles metre metres meter meters feet foot inch "
        "inches acre acres hectare hectares kg kilo kilos kilograms tonne tonnes ton tons "
        "degree degrees point points"
    ).split()
)
_SCALE = frozenset("hundred thousand million billion".split())


def _counts_things(noun: str | None, text: str) -> bool:
    """A count in ``text`` that can count things: not a length of time, a measure, a
    share or a sum of money ("11 hours", "two-hour", "14%", "$48 million"), unless the
    question counts such units itself ("how many days")."""
    if noun is not None and (noun in _UNITS or noun.removesuffix("s") in _UNITS):
        return bool(_COUNT.search(text))
    for match in _COUNT.finditer(text):
        before, after = text[: match.start()].rstrip(), text[match.end() :]
        unit = re.match(r"\s*-?\s*([a-z]+)", after, re.IGNORECASE)
        if before.endswith(("$", "£", "€", "¥")) or after.startswith("%"):
            continue  # "$48", "14%"
        if unit and unit.group(1).lower() in _UNITS:
            continue  # "11 hours", "a two-hour hearing", "20 mph"
        if match.group(0).lower() in _SCALE and re.search(r"\d$", before):
            continue  # the "million" of "$48 million"
        return True
    return False


#: What each unfilled slot tells the reader, shown above the closest passages.
SLOT_NOTES = {
    "count": "The closest passages give no count: the article may not say how many.",
    "amount": "The closest passages name no amount: the article may not say how much.",
    "clock": "The closest passages give no time of day.",
    "duration": "The closest passages give no length of time.",
    "date": "The closest passages give no date or time.",
    "name": "The closest passages name nothing of the kind asked about.",
    "person": "The closest passages name no one who fits: the article may not say who.",
}

# "Which states …", "what is the name of …": the answer is a name the question does not
# already hold (for states and countries, one the country data knows). "Who scored …": a
# person, named or described, in the best sentence itself. (News passages are full of
# names, so "which company …" cannot be checked without knowing which names are
# companies: it is not.)
#: Kinds of name a question can ask for whose names the installed country data knows
#: (countryinfo, via ``lexicon.is_region``): countries and their states and provinces.
_REGION_KINDS = frozenset(
    "country countries nation nations state states province provinces region regions".split()
)
_WHICH_OPEN = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:which|what)\s+(.*)$", re.IGNORECASE)
_NAME_OF = re.compile(
    r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+)?names?\s+of\b"
    r"|\bwhat\s+(?:is|was|are|were)\s+(?:it|they|he|she)\s+called\b",
    re.IGNORECASE,
)
_WHO_OPEN = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?who(?:m|'s|’s)?\b", re.IGNORECASE)
_WHO_SAID = re.compile(  # "who said / warned / asked …": the speaker answers it
    rf"^\W*(?:and\s+|so\s+|but\s+)?who(?:m)?\s+(?:\w+\s+)?(?:{SPEECH_VERBS}|ask|asks|asked)\b",
    re.IGNORECASE,
)
_PROPER = re.compile(r"(?<![\w'’])([A-Z][\w'’.&-]*[\w])")
_CONTINENTS = frozenset("Europe Asia Africa America Americas Oceania Antarctica".split())
_PEOPLE = (
    lx.ROLE_WORDS
    | lx.PERSON_NOUNS
    | lx.PERSON_SOURCE_HEADS
    | frozenset(
        (
            "people residents voters workers officials police officers soldiers troops "
            "members fans supporters players staff employees investors analysts lawmakers "
            "ministers leaders critics experts doctors nurses teachers students parents "
            "families children researchers scientists authorities prosecutors judges jurors "
            "jury lawyers scholars everyone nobody no-one someone"
        ).split()
    )
    | lx.ORG_WORDS
    | frozenset(w + "s" for w in lx.ORG_WORDS)
)
#: Plural nouns of people by their ending: "scientists", "historians", "politicians".
_PEOPLE_ENDING = re.compile(r"(?:ists|ians)$")


def _asked_kind(question: str) -> str | None:
    """ "region" for "which states/countries …", "name" for "what is the name of …"."""
    if _NAME_OF.search(question):
        return "name"
    opened = _WHICH_OPEN.match(question)
    if not opened:
        return None
    words = [w.strip("?,.!'’\"") for w in opened.group(1).lower().split()[:4]]
    for at, word in enumerate(words[:2]):
        if word in _NOUN_STOP or word in {"the", "a", "an", "of"}:
            return None  # "what did the state say": the kind is not the answer
        following = words[at + 1] if at + 1 < len(words) else ""
        if word in _REGION_KINDS and following not in {"that", "which", "whether"}:
            return "region"  # not "what articles state that …"
    return None


def _stems(question: str) -> set[str]:
    """The stems of the question's words, to tell a new name from one it already holds."""
    return {stem(w.lower()) for w in re.findall(r"[\w'’-]+", question)}


def _new_names(question: str, text: str, places: bool = True, regions: bool = False) -> bool:
    """A capitalised word in ``text`` that the question does not hold (a month or a day,
    a function word opening a sentence, and with ``places=False`` a continent, do not
    count; with ``regions=True`` only a place counts)."""
    asked = _stems(question)
    for match in _PROPER.finditer(text):
        word = match.group(1)
        bare = word.rstrip(".").removesuffix("'s").removesuffix("’s")
        folded = bare.lower()
        if folded in STOPWORDS or bare in _MONTH_AND_DAY or stem(folded) in asked:
            continue
        if not places and bare in _CONTINENTS:
            continue  # "automakers in Europe": no one (a country can be who acted)
        if regions and not _is_place(bare):
            continue
        return True
    return False


_MONTH_AND_DAY = frozenset((_MONTHS + "|" + _DAYS).split("|"))


def _is_place(word: str) -> bool:
    """A country, a state or province, or a continent; a country's demonym or code ("UK",
    "Dutch"); "Ms" is not Montserrat."""
    if word in _CONTINENTS or lx.is_region(word):
        return True
    return (len(word) > 3 or word.isupper()) and bool(aliases(word))


def _someone(question: str, text: str) -> bool:
    """A person or a body in ``text`` the question does not already name."""
    if _new_names(question, text, places=False):
        return True
    asked = _stems(question)
    words = {w.lower() for w in re.findall(r"[\w'’-]+", text)}
    return any((w in _PEOPLE or _PEOPLE_ENDING.search(w)) and stem(w) not in asked for w in words)


def unfilled_slot(
    question: str, text: str, sentence: str | None = None, speaker: str | None = None
) -> str | None:
    """The precise slot the question names (a count of something, an amount of money, a
    clock time, a duration, a date, a name, a person; keys of ``SLOT_NOTES``) when
    ``text`` (the best passage and its neighbours) does not fill it, else None. A person
    must be in ``sentence`` (the best sentence) itself, when given: neighbours nearly
    always name someone; that sentence's ``speaker`` can be who the question asks for."""
    many = _HOW_MANY.search(question)
    if many:
        noun = _head_noun(many.group(1))
        if noun is not None and _counted(noun, text):
            return None  # "14 tanks"
        if noun is not None and _uncounted(question, noun, text):
            return "count"  # "sending mines, along with 20 tanks": the count is of another thing
        if _counts_things(noun, _YEAR.sub(" ", text)):
            return None  # a count in other words: "a crowd of 31,406" for "how many fans"
        return "count"
    if _HOW_MUCH.search(question):
        if _MONEY_WORDS.search(question):
            return None if _MONEY.search(text) or _LARGE.search(text) else "amount"
        return None if _NUMBER.search(text) else "amount"
    if re.search(r"\bwhat time\b", question, re.IGNORECASE):
        return None if _CLOCK.search(text) else "clock"
    if re.search(r"\bhow long\b", question, re.IGNORECASE):
        met = _DURATION.search(text) or _COUNT.search(_YEAR.sub(" ", text))
        return None if met else "duration"
    if _WHEN.search(question):
        return None if _DATE.search(text) else "date"
    kind = _asked_kind(question)
    if kind is not None:
        return None if _new_names(question, text, regions=kind == "region") else "name"
    if _WHO_OPEN.match(question) and not _WHO_SAID.match(question):
        return None if speaker or _someone(question, sentence or text) else "person"
    return None
