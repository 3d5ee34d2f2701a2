"""The reader as shipped: verified at load, refusing a damaged file in one line, and
reading invented pairs the right way round (an answer above the same sentence with one
word changed so that it no longer answers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from support import FakeEncoder

from index.checksums import sha256_file
from index.encoding.model_files import BUNDLED, prepare_model
from index.engine import Engine, EngineConfig
from index.errors import ModelError
from index.models import Attribution
from index.reader import model as reader_model
from index.reader.model import READER_FILE, Reader
from index.reader.pairs import MAX_TOKENS, PairTokenizer, sentence_side
from index.reader.pin import READER_SHA256


@pytest.fixture(scope="module")
def files():
    return prepare_model(BUNDLED)


@pytest.fixture(scope="module")
def reader(files) -> Reader:
    return Reader(files)


def test_the_shipped_file_is_pinned_and_small() -> None:
    assert READER_FILE.is_file()
    assert sha256_file(READER_FILE) == READER_SHA256
    assert READER_FILE.stat().st_size < 15 * 1024 * 1024


def test_loads_and_scores_probabilities(reader: Reader) -> None:
    scores = reader.score("When did the bridge open?", ["The bridge opened in 1932.", "Rain."])
    assert scores.shape == (2,)
    assert np.all((scores > 0) & (scores < 1))
    assert reader.name == f"reader@{READER_SHA256[:12]}"
    assert reader.score("Anything?", []).shape == (0,)


# question, the sentence that answers it, the same sentence with one word changed
SWAPS = [
    (
        "When did the Harlow bridge first open to traffic?",
        "The Harlow bridge first opened to traffic in 1932, after four years of work.",
        "The Harlow bridge first closed to traffic in 1932, after four years of work.",
    ),
    (
        "Which fee is refundable?",
        "The booking fee is refundable up to a week before the trip.",
        "The booking fee is non-refundable up to a week before the trip.",
    ),
    (
        "How many people did the Marden clinic treat in 2019?",
        "The Marden clinic treated 4,300 people in 2019, its busiest year.",
        "The Marden clinic treated 4,300 people in 2017, its busiest year.",
    ),
    (
        "Who did Anna Berg marry?",
        "Anna Berg married the painter Tomas Lind in 1901.",
        "Clara Berg married the painter Tomas Lind in 1901.",
    ),
    (
        "Did the council approve the new cycle lanes?",
        "The council approved the new cycle lanes on Tuesday.",
        "The council did not approve the new cycle lanes on Tuesday.",
    ),
]


@pytest.mark.parametrize(("question", "answer", "swapped"), SWAPS)
def test_an_answer_reads_above_its_one_word_swap(
    reader: Reader, question: str, answer: str, swapped: str
) -> None:
    right, wrong = reader.score(question, [answer, swapped])
    assert right > wrong


def test_an_answer_reads_above_an_unrelated_sentence(reader: Reader) -> None:
    question = "When did the Harlow bridge first open to traffic?"
    right, other = reader.score(
        question,
        [
            "The Harlow bridge first opened to traffic in 1932, after four years of work.",
            "The museum's winter exhibition features Dutch landscape paintings.",
        ],
    )
    assert right > other


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "reader.onnx"
    shutil.copy(READER_FILE, target)
    return target


def test_a_damaged_file_is_one_line_naming_it(files, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError) as caught:
        Reader(files, path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert "damaged" in message


def test_a_missing_file_is_one_line_naming_it(files, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.onnx"
    with pytest.raises(ModelError) as caught:
        Reader(files, path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_the_engine_refuses_a_damaged_reader_at_start(
    articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(tmp_path)
    path.write_bytes(path.read_bytes()[:-100])
    monkeypatch.setattr(reader_model, "READER_FILE", path)
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=tmp_path / "index", reader=True),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    with pytest.raises(ModelError, match="reader weights damaged"):
        engine.start()
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())


def test_pairs_are_written_the_same_way_everywhere(files) -> None:
    tokenizer = PairTokenizer(files.path / "tokenizer.json")
    ids, types, mask = tokenizer.encode("Who said it?", ["Short.", "A much longer sentence " * 40])
    assert ids.shape[0] == 2
    assert ids.shape[1] == MAX_TOKENS
    assert mask[0].sum() < mask[1].sum() == MAX_TOKENS
    question_end = list(ids[0]).index(ids[0][mask[0].sum() - 1])  # first [SEP]
    assert types[0][: question_end + 1].sum() == 0
    assert types[0][question_end + 1 :].max() == 1
    said = Attribution(speaker="Dmytro Kuleba", kind="direct")
    assert sentence_side("It  will\nhold.", said) == "Dmytro Kuleba: It will hold."
    assert sentence_side("It held.", None) == "It held."
