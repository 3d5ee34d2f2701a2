"""Generate a large, news-like corpus for scale benchmarks (deterministic for a seed).

Usage: ``python -m bench.corpus_gen OUT_DIR --paragraphs 10000 [--seed 7]``

Each article is a ``.txt`` file: a headline, a photo caption ("… Credit: AP"), 6–14 body
paragraphs and a boilerplate newsletter line. Body paragraphs mix the quote styles the
attribution rules know — ``X said: "…"``, ``"…," X said.``, ``"…," said X, the ROLE.``,
``according to X``, ``X said that …`` — with continuation paragraphs that open with a
quote mark, pronoun subjects (``She said …``) and plain narration. Topics, places,
people, organisations and numbers are drawn from word lists, so sentences are varied
enough for embeddings and BM25 to behave as on real news. ``--paragraphs`` counts body
(quotable) paragraphs: captions and boilerplate come on top.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

FIRST = [
    "Amelia",
    "Aisha",
    "Ben",
    "Carlos",
    "Chen",
    "Daniel",
    "Dmitri",
    "Elena",
    "Farah",
    "Grace",
    "Hannah",
    "Ibrahim",
    "Isabel",
    "James",
    "Jin",
    "Kwame",
    "Laura",
    "Lucia",
    "Marcus",
    "Maria",
    "Mei",
    "Mohammed",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Samuel",
    "Sofia",
    "Tariq",
    "Thomas",
    "Yusuf",
    "Zara",
    "Ines",
    "Kofi",
    "Anika",
    "Leo",
    "Mateo",
    "Hana",
    "Pavel",
    "Ruth",
    "Stefan",
    "Tomas",
    "Valeria",
    "Wei",
    "Yara",
    "Ahmed",
    "Bianca",
    "Colm",
    "Dara",
    "Erik",
    "Fatima",
    "Gustavo",
]
LAST = [
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Baker",
    "Bianchi",
    "Brennan",
    "Castillo",
    "Chowdhury",
    "Dubois",
    "Eriksen",
    "Fernandes",
    "Fischer",
    "Gallagher",
    "Garcia",
    "Haddad",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Kowalski",
    "Larsen",
    "Lindqvist",
    "Mahmoud",
    "Marquez",
    "Mensah",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "O'Brien",
    "Patel",
    "Petrov",
    "Quinn",
    "Rahman",
    "Rossi",
    "Schmidt",
    "Silva",
    "Sorensen",
    "Tanaka",
    "Thompson",
    "Varga",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Horvat",
    "Kiplagat",
    "Delacroix",
    "Abara",
    "Ferreira",
    "Lindgren",
    "Moyo",
    "Nowak",
    "Sato",
    "Volkov",
]
PLACES = [
    "Ashford",
    "Brightwater",
    "Calder",
    "Dunmore",
    "Eastleigh",
    "Fairhaven",
    "Glenrock",
    "Harrowgate",
    "Ironbridge",
    "Juniper",
    "Bay",
    "Kingsmere",
    "Lakeside",
    "Millbrook",
    "Northgate",
    "Oakridge",
    "Port",
    "Ellis",
    "Queensferry",
    "Redcliff",
    "Stonehaven",
    "Thornbury",
    "Upton",
    "Vale",
    "Westmoor",
    "Yarrow",
    "Zephyr",
    "Point",
    "Cold",
    "Harbour",
    "Marlow",
    "Heath",
    "Ravensdale",
    "Silverton",
    "Copperfield",
    "Windermere",
    "Eastbrook",
    "Hollow",
    "Creek",
]
ORGS = (
    "the city council",
    "the regional health authority",
    "the transport ministry",
    "the national weather service",
    "the energy regulator",
    "the teachers' union",
    "the central bank",
    "the fire and rescue service",
    "the coastguard",
    "the environment agency",
    "the police federation",
    "the chamber of commerce",
    "the water company",
    "the university hospital",
    "the football association",
    "the housing trust",
)
ROLES = (
    "spokeswoman for {org}",
    "spokesman for {org}",
    "chief executive of {org}",
    "director of {org}",
    "a senior official at {org}",
    "chair of {org}",
    "head of communications at {org}",
    "deputy leader of {org}",
    "a researcher at {org}",
    "an adviser to {org}",
)
TITLES = (
    "Mayor",
    "Councillor",
    "Dr",
    "Professor",
    "Chief Inspector",
    "Minister",
    "Judge",
    "Captain",
)


@dataclass(frozen=True)
class Topic:
    name: str
    nouns: tuple[str, ...]
    events: tuple[str, ...]
    claims: tuple[str, ...]


TOPICS = (
    Topic(
        "flood",
        ("flood defences", "river levels", "evacuation centres", "sandbags", "the embankment"),
        (
            "heavy rain pushed the river over its banks",
            "hundreds of homes were evacuated overnight",
            "the main road into town was closed by floodwater",
            "emergency crews pumped water from the underpass",
        ),
        (
            "the defences held for most of the night",
            "residents should not return until the water drops",
            "more rain is expected over the weekend",
            "the repair bill could run into millions",
        ),
    ),
    Topic(
        "election",
        ("polling stations", "the ballot count", "turnout", "the coalition talks", "postal votes"),
        (
            "voters queued for hours at polling stations",
            "the count ran late into the night",
            "the governing party lost its majority",
            "a recount was ordered in two districts",
        ),
        (
            "turnout was the highest in a generation",
            "the result reflects anger over living costs",
            "coalition talks could take weeks",
            "every valid vote will be counted",
        ),
    ),
    Topic(
        "strike",
        ("the pay offer", "picket lines", "cancelled services", "the ballot", "talks"),
        (
            "workers walked out after talks collapsed",
            "most train services were cancelled",
            "union members rejected the latest pay offer",
            "picket lines formed outside the depot at dawn",
        ),
        (
            "the offer does not keep pace with inflation",
            "passengers should check before they travel",
            "the door to negotiations remains open",
            "further walkouts are planned next month",
        ),
    ),
    Topic(
        "hospital",
        ("waiting lists", "the emergency department", "nurses", "beds", "ambulance handovers"),
        (
            "patients waited more than twelve hours in the emergency department",
            "the hospital declared a critical incident",
            "ambulances queued outside for most of the afternoon",
            "planned operations were postponed",
        ),
        (
            "staff are working flat out",
            "the winter has been the hardest on record",
            "extra beds will open by the end of the month",
            "patients with minor injuries should use pharmacies",
        ),
    ),
    Topic(
        "wildfire",
        ("the fire line", "water bombers", "evacuation orders", "the burn area", "smoke"),
        (
            "the fire jumped the highway late on Tuesday",
            "water bombers were grounded by strong winds",
            "thousands of residents were told to leave",
            "smoke closed schools across the valley",
        ),
        (
            "the fire is about forty percent contained",
            "the conditions are the worst firefighters have seen",
            "people who ignore evacuation orders put crews at risk",
            "the cause is still under investigation",
        ),
    ),
    Topic(
        "transport",
        ("the new tram line", "fares", "the bypass", "the rail timetable", "bus routes"),
        (
            "the new tram line opened two years late",
            "fares will rise by five percent in January",
            "the bypass was approved after a long inquiry",
            "several rural bus routes were withdrawn",
        ),
        (
            "the project came in over budget",
            "commuters deserve a reliable service",
            "the timetable change will cut journey times",
            "the decision will be reviewed next year",
        ),
    ),
    Topic(
        "trial",
        ("the jury", "the verdict", "the defence", "the sentencing hearing", "the evidence"),
        (
            "the jury returned a verdict after three days",
            "the defendant was cleared of the most serious charge",
            "the judge adjourned sentencing until next month",
            "prosecutors played CCTV footage to the court",
        ),
        (
            "justice has finally been done",
            "the family will consider an appeal",
            "the evidence was overwhelming",
            "the case raised serious questions about police procedure",
        ),
    ),
    Topic(
        "technology",
        ("the data breach", "the new chip plant", "software update", "the outage", "the app"),
        (
            "a software update knocked the payment system offline",
            "the company confirmed a data breach affecting customers",
            "plans for a new chip plant were unveiled",
            "the app was pulled from stores after complaints",
        ),
        (
            "no card details were taken",
            "the plant will create hundreds of jobs",
            "customers should change their passwords",
            "the outage was caused by a faulty configuration",
        ),
    ),
    Topic(
        "football",
        ("the final", "the transfer window", "the manager", "the stadium", "the penalty"),
        (
            "the home side won the final on penalties",
            "the club sacked its manager after a run of defeats",
            "a record crowd packed the stadium",
            "the striker scored twice in the second half",
        ),
        (
            "the players showed real character",
            "the board backed the decision",
            "the club will not sell its best players",
            "the referee got the big decision wrong",
        ),
    ),
    Topic(
        "housing",
        ("rents", "the new estate", "planning permission", "affordable homes", "mortgages"),
        (
            "rents rose faster than wages for the third year",
            "plans for a new estate were approved",
            "mortgage rates fell for the first time in months",
            "tenants protested outside the town hall",
        ),
        (
            "young families are being priced out",
            "a third of the homes will be affordable",
            "the council must build more social housing",
            "the market is starting to stabilise",
        ),
    ),
    Topic(
        "energy",
        ("the wind farm", "energy bills", "the power station", "the grid", "solar panels"),
        (
            "the offshore wind farm began supplying the grid",
            "energy bills will fall slightly from April",
            "the old power station was demolished",
            "a storm left thousands without power",
        ),
        (
            "the wind farm will power half a million homes",
            "households are still paying too much",
            "the grid needs urgent investment",
            "power was restored within hours",
        ),
    ),
    Topic(
        "schools",
        ("exam results", "teachers", "the school budget", "class sizes", "free meals"),
        (
            "exam results improved for the second year",
            "teachers voted to accept the pay deal",
            "the school budget was cut by a tenth",
            "free meals were extended to all primary pupils",
        ),
        (
            "pupils have worked incredibly hard",
            "class sizes are simply too big",
            "every child deserves a hot meal",
            "the cuts will hit the poorest areas hardest",
        ),
    ),
)
DAYS = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend")
CHANNELS = (
    "in a statement",
    "at a press conference",
    "in a post on X",
    "speaking to reporters",
    "on local radio",
    "in an interview",
)
VERBS = ("said", "told reporters", "added", "warned", "insisted", "explained", "confirmed")
NEWSLETTERS = (
    "Sign up for our Morning Briefing newsletter to get the day's top stories in your inbox.",
    "Subscribe free to our weekly newsletter for exclusive coverage, direct to your inbox.",
    "Want more local news? Sign up for the Evening Digest newsletter every weekday.",
)
AGENCIES = ("AP", "Reuters", "PA Media", "Getty Images", "AFP")


FEMALE = frozenset(
    [
        "Amelia",
        "Aisha",
        "Elena",
        "Farah",
        "Grace",
        "Hannah",
        "Isabel",
        "Laura",
        "Lucia",
        "Maria",
        "Mei",
        "Nadia",
        "Olivia",
        "Priya",
        "Rosa",
        "Sofia",
        "Zara",
        "Ines",
        "Anika",
        "Hana",
        "Ruth",
        "Valeria",
        "Yara",
        "Bianca",
        "Dara",
        "Fatima",
    ]
)


def cap(text: str) -> str:
    """``text`` with its first letter upper-cased (``str.capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]


class _Writer:
    """One article's worth of people, places and sentences, drawn from one RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = rng.choice(TOPICS)
        self.place = rng.choice(PLACES)
        self.people = [self._person() for _ in range(rng.randint(2, 4))]

    def _person(self) -> dict[str, str]:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        pronoun = "She" if first in FEMALE else "He"
        if rng.random() < 0.3:
            title = rng.choice(TITLES)
            return {"name": f"{title} {first} {last}", "role": "", "he": pronoun}
        role = rng.choice(ROLES).format(org=rng.choice(ORGS))
        return {"name": f"{first} {last}", "role": role, "he": pronoun}

    def number(self) -> str:
        rng = self.rng
        return rng.choice(
            (
                str(rng.randint(2, 950)),
                f"{rng.randint(2, 90)} percent",
                f"£{rng.randint(1, 40)}m",
                rng.choice(("dozens", "hundreds", "thousands", "two", "three", "four")),
            )
        )

    def claim(self) -> str:
        rng = self.rng
        topic = self.topic
        extra = rng.choice(
            (
                f"in {self.place}",
                f"after {self.number()} complaints",
                f"despite {rng.choice(topic.nouns)}",
                f"for {rng.choice(topic.nouns)}",
                f"{rng.choice(DAYS)}",
                "",
            )
        )
        return f"{rng.choice(topic.claims)} {extra}".strip()

    def event(self) -> str:
        rng = self.rng
        return f"{rng.choice(self.topic.events)} in {self.place} {rng.choice(DAYS)}"

    def narration(self) -> str:
        rng = self.rng
        topic = self.topic
        since = rng.choice(("last year", "the spring", "the summer", "March", "October"))
        options = (
            f"Officials said {self.number()} people were affected as {rng.choice(topic.events)}.",
            f"{cap(rng.choice(topic.nouns))} in {self.place} have been under scrutiny "
            f"since {since}.",
            f"The figures show {self.number()} cases linked to {rng.choice(topic.nouns)} "
            f"across the region.",
            f"{cap(self.event())}, with {rng.choice(topic.nouns)} expected to dominate the debate.",
            f"Local businesses in {self.place} reported losses of {self.number()}.",
        )
        return rng.choice(options)

    def quote_paragraph(self, person: dict[str, str]) -> tuple[str, bool]:
        """A paragraph quoting ``person``; True when it ends inside an open quotation."""
        rng = self.rng
        name, role, he = person["name"], person["role"], person["he"]
        who = f"{name}, {role}," if role else name
        claim, other = cap(self.claim()), self.claim()
        style = rng.randrange(7)
        if style == 0:
            return f'{who} said: "{claim}."', False
        if style == 1:
            return f'"{claim}," {name} {rng.choice(VERBS)}.', False
        if style == 2 and role:
            the_role = role if role.startswith(("a ", "an ")) else f"the {role}"
            return f'"{claim}," said {name}, {the_role}.', False
        if style == 3:
            lead = f"{cap(rng.choice(CHANNELS))}, {name} said:"
            return f'{lead} "{claim}.', True  # continues in the next paragraph
        if style == 4:
            return f"{claim}, according to {name}. {self.narration()}", False
        if style == 5:
            return f"{who} said that {other} and that {self.claim()}.", False
        return f'{he} said {other}. "{claim}," {he.lower()} added.', False

    def paragraphs(self, count: int) -> list[str]:
        rng = self.rng
        out: list[str] = [f"{cap(self.event())}, officials said."]
        open_quote = False
        while len(out) < count:
            if open_quote:
                out.append(f'"{cap(self.claim())}. {cap(self.claim())}."')
                open_quote = False
            elif rng.random() < 0.35:
                out.append(" ".join(self.narration() for _ in range(rng.randint(1, 2))))
            else:
                text, open_quote = self.quote_paragraph(rng.choice(self.people))
                out.append(text)
        return out

    def headline(self) -> str:
        return f"{self.place}: {self.rng.choice(self.topic.events)}"


def article(rng: random.Random, body_paragraphs: int) -> str:
    """One article's text: headline, caption, body paragraphs and a newsletter line."""
    writer = _Writer(rng)
    body = writer.paragraphs(body_paragraphs)
    caption = f"{cap(writer.event())}. Credit: {rng.choice(AGENCIES)}"
    blocks = [writer.headline(), caption, *body, rng.choice(NEWSLETTERS)]
    return "\n\n".join(blocks) + "\n"


def generate(paragraphs: int, seed: int = 7) -> list[tuple[str, str]]:
    """(file name, text) of articles holding ``paragraphs`` body paragraphs in all."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    left = paragraphs
    while left > 0:
        count = min(left, rng.randint(6, 14))
        out.append((f"article-{len(out) + 1:06d}.txt", article(rng, count)))
        left -= count
    return out


def write_corpus(out_dir: Path, paragraphs: int, seed: int = 7) -> list[Path]:
    """Write the generated articles into ``out_dir`` (created); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(paragraphs, seed):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--paragraphs", type=int, default=1000, help="body paragraphs in all")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.paragraphs < 1:
        parser.error("--paragraphs must be at least 1")
    paths = write_corpus(args.out_dir, args.paragraphs, args.seed)
    print(f"wrote {len(paths)} articles ({args.paragraphs} body paragraphs) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
