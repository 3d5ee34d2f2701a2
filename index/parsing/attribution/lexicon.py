"""The one word lexicon of the parser: cues, titles, roles, organisations, abbreviations.

Everything that reads article text by word lists takes them from here: the attributor
(``index.parsing.attribution``), the sentence splitter (``index.parsing.sentences``:
abbreviations that do not end a sentence) and the speaker table
(``index.retrieval.speakers``: role words, honorifics, particles). Each list is written
once, as a space-separated string, and read into a
frozenset; nothing here is article-specific.

Reporting verbs are listed by lemma only. Their inflected forms (``say`` -> ``said``,
``says``, ``saying``; ``refer`` -> ``referred``; ``think`` -> ``thought``) come from
lemminflect's inflection lexicon, which knows irregular verbs and English consonant
doubling (it depends on stress: ``refer``/``referred`` but ``offer``/``offered``, so
suffix rules get it wrong). The forms are generated into ``inflections.txt`` beside this
file (``python -m index.parsing.attribution.inflect``) and read from there (``cue_forms``).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ------------------------------------------------------------------ reporting verbs
#: Verbs of saying and writing: a cue wherever they have a source as subject.
SPEECH_VERBS = _words(
    """
    say tell add state write tweet explain argue insist claim warn admit deny
    acknowledge assert contend reply respond retort counter concede remark comment stress
    emphasize emphasise complain lament boast brag joke quip exclaim shout yell mutter
    whisper testify allege confirm ask caution opine muse reiterate concur scoff gush
    grumble snap bark thunder chant protest reason speculate marvel recount
    interject gloat
    """
)
#: Verbs that also name acts ("declared a state of emergency", "posted a photo"): a cue
#: only when a clause, a quotation or punctuation follows closely (see ``cues``).
ACT_VERBS = _words(
    """
    declare announce report reveal disclose promise pledge vow predict estimate accuse urge
    suggest note recall continue agree disagree post describe maintain observe mention propose
    recommend threaten demand hint indicate signal conclude repeat email blog publish
    assure reassure remind inform advise apologize apologise wonder charge remember
    talk discuss instruct plead issue release
    """
)
#: Act verbs that stay acts even with a named person as subject ("declared a state of
#: emergency", "posted a photo", "issued new shares"): they need a clause or a quotation.
PERFORMATIVE_ACTS = _words("declare post publish issue release continue report charge signal")
#: Verbs of stance, judgement and thought: a cue when the source is a person (or a
#: quotation is in the sentence), as in "the senator criticized the plan".
STANCE_VERBS = _words(
    """
    think believe feel know hope fear worry expect doubt suspect reckon imagine want wish
    call praise criticize criticise condemn denounce decry blast slam attack mock ridicule
    dismiss reject defend blame applaud welcome thank congratulate challenge hail tout cite
    quote endorse support back oppose champion advocate seek dub label brand characterize
    characterise portray liken compare belittle disparage insult lambaste lambast chide
    rebuke fault assail excoriate berate castigate deride taunt vouch highlight tease
    bemoan dispute contest refute rebut debunk question invoke echo refer reference rescind
    express articulate voice
    """
)
#: Verbs that report only with a document as subject ("the survey found that", "polls
#: show"): "police found the car" is not a cue.
DOCUMENT_VERBS = _words("find show")
#: Cues that can stand before their subject ("..., said the minister"); not "told".
INVERTIBLE_VERBS = (SPEECH_VERBS - {"tell"}) | _words(
    "note recall continue declare post observe predict conclude agree wonder"
)
#: Multi-word cues: the verb (any form) and the particle that must follow it.
PHRASAL_CUES = {
    "point": "out",
    "lash": "out",
    "weigh": "in",
    "rail": "against",
    "sound": "off",
    "shoot": "back",
    "fire": "back",
    "hit": "back",
    "push": "back",
    "speak": "out",
}
#: A cue in the passive with a "by" agent ("was asked by the host"): the agent is the source.
PASSIVE_AGENT_VERBS = _words(
    """
    ask tell quote cite call describe criticize criticise praise echo endorse back support
    oppose condemn attack dismiss reject challenge question accuse
    """
)
#: Auxiliaries (a base form after them is a verb whatever the subject).
MODALS = _words("will would can could may might should must shall do does did")
#: Auxiliaries that report rather than suppose: "Ruiz will discuss", not "would ever admit".
ASSERTING_MODALS = _words("will shall do does did")

# ------------------------------------------------------------------ people and bodies
PRONOUNS_PERSON = _words("he she him her i we you")
PRONOUNS_GROUP = _words("they it")
DETERMINERS = _words("the a an")
HONORIFICS = _words("mr mrs ms miss mx sir dame lord lady")
#: Title abbreviations that sit before a name ("Sen. Ted Rowe", "Lt. Gen. Ana Pike").
TITLE_ABBREVIATIONS = _words(
    "dr prof sen gov rep cllr lt gen col det sgt rev capt supt insp adm maj cmdr"
)
TITLE_ALIASES = {
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "prof": "professor",
    "dr": "doctor",
    "gen": "general",
    "lt": "lieutenant",
    "col": "colonel",
    "sgt": "sergeant",
    "det": "detective",
    "supt": "superintendent",
    "insp": "inspector",
    "cllr": "councillor",
    "capt": "captain",
    "adm": "admiral",
    "maj": "major",
    "councilor": "councillor",
    "pm": "prime minister",
}
#: Words that name a role or office; inside a capitalised run they belong to the role
#: ("Science Secretary Peter Kyle"), never to the name.
ROLE_WORDS = _words(
    """
    president minister secretary spokesman spokeswoman spokesperson spokesmen spokespeople
    chancellor senator sen governor gov mayor ambassador general gen admiral commander chief
    director officer commissioner leader chairman chairwoman chair chairperson ceo cfo coo
    head captain coach manager inspector superintendent detective det sergeant sgt constable
    judge justice king queen prince princess pope rev reverend father bishop archbishop
    rabbi imam deputy vice acting founder cofounder co-founder professor prof dr doctor
    attorney counsel representative rep congressman congresswoman lawmaker legislator mp
    mep msp councillor councilor cllr premier envoy diplomat correspondent editor analyst
    economist researcher scientist strategist pollster adviser advisor aide official
    officials lieutenant lt colonel col major maj marshal executive boss owner trustee
    principal headteacher dean provost treasurer auditor prosecutor lawyer barrister
    solicitor sheriff candidate nominee host anchor commentator columnist reporter
    winger striker midfielder defender goalkeeper forward player jockey bowler batsman
    champion capt adm pastor priest cardinal chaplain deacon advocate activist campaigner
    organizer organiser consultant operative expert historian
    """
)
#: -ing words that are adjectives before a noun: "a leading advocate", "the outgoing mayor".
ADJECTIVAL_ING = _words(
    """
    leading outgoing incoming visiting sitting ruling governing presiding retiring serving
    founding managing ranking remaining longstanding long-standing reigning consulting
    """
)
#: Head nouns of organisations and bodies ("Kestrel Air" is not, "the Treasury Department" is).
ORG_WORDS = _words(
    """
    department ministry office government police council agency service services commission
    army military navy force forces company corporation corp inc ltd plc group party union
    court committee authority authorities bureau institute university foundation association
    organisation organization network news times post journal reuters bank board embassy
    kremlin parliament congress senate assembly administration cabinet club fc federation
    league trust charity hospital nhs fund school college team command centre center unit
    watchdog regulator firm airline campaign pac caucus coalition tank poll survey
    chamber alliance society academy institution panel tribunal secretariat consortium
    directorate inspectorate partnership
    """
)
#: Nouns for a person, so that "the woman" or "the 24-year-old" can find their antecedent.
PERSON_NOUNS = _words(
    """
    woman man mother father teenager boy girl pensioner victim player actor actress singer
    star striker winger midfielder defender goalkeeper driver resident mum dad wife husband
    son daughter grandmother grandfather student pupil patient survivor witness candidate
    nominee senator congressman congresswoman governor mayor billionaire businessman
    businesswoman mogul developer lawmaker frontrunner front-runner
    """
)
#: Heads of unnamed sources that stand for a person ("a senior official said").
PERSON_SOURCE_HEADS = _words("official source spokesman spokeswoman spokesperson diplomat aide")
#: Surname particles kept inside a name ("Heike von der Brelie").
PARTICLES = _words("von van der den de da di la le bin al ibn du dos del")

# ------------------------------------------------------------------ phrase structure
#: Words that open a clause: a subject phrase starts after the last of them.
CLAUSE_WORDS = _words(
    """
    that and but while as after before when because since if though although where whereas
    so which who whom whose than what
    """
)
#: Words that may open a sentence before its subject ("Meanwhile, the council said").
LEADING_ADVERBS = _words(
    """
    yesterday today tonight later earlier meanwhile however but and also now separately
    previously then still instead elsewhere again recently hastily
    """
)
#: Words between a subject and its verb that are not part of the subject.
VERB_NOISE = _words(
    """
    has have had also previously later earlier repeatedly publicly reportedly then once
    recently already again now would will could may might subsequently separately privately
    simply further flatly angrily quickly immediately initially first finally frequently
    often always long just even likewise similarly famously openly loudly bluntly sometimes
    usually occasionally apparently allegedly personally himself herself themselves itself
    ever still too also nonetheless nevertheless both all each
    is are was were be been being do does did can should must shall
    """
)
NEGATIONS = _words("not never n't no")
#: Words that open a subordinate clause: a cue after one is rarely the sentence's own.
SUBORDINATORS = _words(
    """
    that which who whom when if because as after before while since although though
    whereas than where unless until what
    """
)
#: Words before a reporting-verb form that make it a noun or an adjective ("his remarks",
#: "the most contested", "a telling sign").
NOUN_MARKERS = _words(
    "his her their its our my your the a an this that these those most more less least very so too"
)
#: Prepositions and openers that cannot start a subject phrase.
FUNCTION_WORDS = _words(
    """
    for in at on the but and when after as by with from to of if while since before during
    under over about into amid despite although though meanwhile however yet so according
    speaking writing asked through throughout until unlike like without within against
    among between toward towards upon via per
    """
)
PREPOSITIONS = _words("for of at with from by to in on")
CONNECTORS = _words("of for and the on de del")
PASSIVE_AUXILIARIES = _words("was were is are be been being")
#: Words that are never a source, capitalised or not.
DEMONSTRATIVES = _words(
    "there this that these those what which who it's it’s there's there’s here's here’s "
    "that's that’s what's what’s"
)
#: Words a subject phrase never contains (finite verbs among them: "the plan is dead").
BAD_NP_WORDS = _words(
    """
    there this that these those what which who not it's is are was were has have had will
    would can could should may might must do does did
    """
)

# ------------------------------------------------------------------ time and channels
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Where or how something was said: heads of a channel phrase ("in a post on X").
MEDIA_WORDS = (
    "post posts statement interview tweet press conference news conference briefing speech "
    "video letter message blog op-ed article column broadcast podcast address rally hearing "
    "meeting conference email radio television tv appearance call note filing report "
    "documentary programme program show debate session summit event memo release"
)
#: Documents that can stand in "according to a report by X".
DOCUMENT_WORDS = (
    "statement report filing document letter post memo survey study poll release analysis "
    "audit review assessment investigation inquiry ruling judgment record figure data"
)

# ------------------------------------------------------------------ abbreviations
#: Abbreviations after which a full stop does not end a sentence or a phrase.
NAME_ABBREVIATIONS = [
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "St",
    "Sen",
    "Gov",
    "Prof",
    "Rep",
    "Lt",
    "Gen",
    "Col",
    "Sgt",
    "Det",
    "Rev",
    "Jr",
    "Sr",
    "Capt",
    "Cllr",
    "No",
    "Insp",
    "Supt",
    "Adm",
    "Maj",
    "Cmdr",
    "Atty",
]
US_STATE_ABBREVIATIONS = [
    "Ala",
    "Ariz",
    "Ark",
    "Calif",
    "Colo",
    "Conn",
    "Del",
    "Fla",
    "Ga",
    "Ill",
    "Ind",
    "Kan",
    "Kans",
    "Ky",
    "La",
    "Md",
    "Mass",
    "Mich",
    "Minn",
    "Miss",
    "Mo",
    "Mont",
    "Neb",
    "Nev",
    "Okla",
    "Ore",
    "Pa",
    "Tenn",
    "Tex",
    "Va",
    "Vt",
    "Wash",
    "Wis",
    "Wyo",
]
MONTH_ABBREVIATIONS = ["Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"]


# ------------------------------------------------------------------ inflection
INFLECTIONS = Path(__file__).with_name("inflections.txt")


def cue_lemmas() -> frozenset[str]:
    """Every reporting verb, by lemma."""
    return SPEECH_VERBS | ACT_VERBS | STANCE_VERBS | DOCUMENT_VERBS | frozenset(PHRASAL_CUES)


@cache
def cue_forms() -> dict[str, tuple[str, str]]:
    """Every inflected form of every reporting verb: ``form -> (lemma, tag)``.

    ``tag`` is the Penn tag: ``VB`` (base), ``VBZ`` (``says``), ``VBD`` (``said``), ``VBN``
    (``written``), ``VBG`` (``saying``). Read from ``inflections.txt``, which
    ``inflect.generate_forms`` writes from lemminflect
    (``python -m index.parsing.attribution.inflect``); a test keeps the two equal, so the
    table is lemminflect's while the parser pays neither its import nor its table load
    (a few hundred milliseconds per process).
    """
    forms: dict[str, tuple[str, str]] = {}
    for line in INFLECTIONS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            form, lemma, tag = line.split("\t")
            forms[form] = (lemma, tag)
    return forms


AGENT_NOUNS = Path(__file__).with_name("agent_nouns.txt")
#: Agent nouns that are also first names: "Victor Manuel Ortiz" is a name, not a role.
AGENT_NOUN_FIRST_NAMES = _words("victor junior christian")


@cache
def agent_nouns() -> frozenset[str]:
    """Nouns for a person by what they do ("bookseller", "retiree", "engineer"), from
    lemminflect's lexicon (``agent_nouns.txt``, written with the inflection table): in a
    capitalised run before a name they are a role, as in "Retiree Graham Pettit"."""
    lines = AGENT_NOUNS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def regions() -> frozenset[str]:
    """Country names and their first-level divisions (states, provinces), from countryinfo's
    installed data (``index/countries.py``; about 4,500 names, only when a sentence needs it):
    "in Dover, New Jersey," is a place; "in Dover, Jo Lund," is a person."""
    from index.countries import all_countries

    names: set[str] = set()
    for key, info in all_countries().items():
        names.add(str(info.get("name") or key))
        names.update(str(p) for p in info.get("provinces") or ())
    return frozenset(n.casefold() for n in names)


def is_region(phrase: str) -> bool:
    """A state, province or country ("Ohio", "New South Wales", "Ind.", "N.C.")."""
    phrase = phrase.strip().replace("\u2024", ".")  # a protected period
    if phrase.rstrip(".") in US_STATE_ABBREVIATIONS or (phrase.endswith(".") and len(phrase) <= 5):
        return True
    return phrase.casefold() in regions()
