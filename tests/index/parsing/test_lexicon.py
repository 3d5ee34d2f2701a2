"""The one lexicon: verb classes apart, inflections known, shared by its users."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from support import ROOT

from index.parsing import parser_version, sentences
from index.parsing.attribution import inflect
from index.parsing.attribution import lexicon as lx
from index.retrieval import speakers

CLASSES = {"speech": lx.SPEECH_VERBS, "act": lx.ACT_VERBS, "stance": lx.STANCE_VERBS}


def test_each_reporting_verb_is_in_one_class() -> None:
    """A lemma listed twice would get two different rules: each is in exactly one class."""
    for name, verbs in CLASSES.items():
        for other, more in CLASSES.items():
            if name < other:
                assert not verbs & more, f"{name} and {other} share {sorted(verbs & more)}"


def test_every_lemma_has_its_inflections_from_the_table() -> None:
    """No cue verb falls back to its bare form: lemminflect's lexicon knows each one."""
    from lemminflect import getAllInflections

    lemmas = lx.cue_lemmas()
    unknown = sorted(lemma for lemma in lemmas if not getAllInflections(lemma, upos="VERB"))
    assert unknown == []


def test_the_shipped_table_is_what_lemminflect_gives() -> None:
    """inflections.txt is current: run `python -m index.parsing.attribution.inflect` if not."""
    assert lx.cue_forms() == inflect.generate_forms()


def test_the_shipped_agent_nouns_are_what_lemminflect_gives() -> None:
    """agent_nouns.txt is current: run `python -m index.parsing.attribution.inflect` if not."""
    assert sorted(lx.agent_nouns()) == inflect.generate_agent_nouns()
    assert {"bookseller", "retiree", "engineer", "novelist"} <= lx.agent_nouns()
    assert not {"baker", "hunter", "victor"} & lx.agent_nouns()  # names too


def test_the_parser_does_not_import_lemminflect() -> None:
    """The table is read from the package: parsing pays no lemminflect import or load."""
    code = (
        "import sys; from index.parsing.ingest import parse_article; "
        "parse_article('a.txt', b'Title\\n\\nAna Ruiz said so.'); "
        "print('lemminflect' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("form", "lemma", "tag"),
    [
        ("said", "say", "VBD"),
        ("says", "say", "VBZ"),
        ("told", "tell", "VBD"),
        ("sought", "seek", "VBD"),
        ("referred", "refer", "VBD"),
        ("criticizing", "criticize", "VBG"),
        ("tweeted", "tweet", "VBD"),
        ("written", "write", "VBN"),
    ],
)
def test_irregular_and_doubled_forms(form: str, lemma: str, tag: str) -> None:
    assert lx.cue_forms()[form] == (lemma, tag)


def test_speakers_and_sentences_read_the_shared_lexicon() -> None:
    """No private imports and no second copy of the lists in the modules that use them."""
    assert "_ROLE_WORDS" not in inspect.getsource(speakers)
    assert "from index.parsing.attribution import lexicon" in inspect.getsource(speakers)
    assert "from index.parsing.attribution import lexicon" in inspect.getsource(sentences)


def test_the_parser_fingerprint_covers_every_module_of_the_package() -> None:
    """A change to any attribution module must invalidate cached parses."""
    names = {path.name for path in parser_version.parser_sources()}
    assert {"cues.py", "phrases.py", "context.py", "lexicon.py", "quotes.py"} <= names
    assert "inflections.txt" in names
    assert {"attributor.py", "ingest.py", "sentences.py"} <= names
