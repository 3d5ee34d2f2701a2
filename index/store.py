"""The searchable index: parsed articles, FAISS vectors, BM25, and their persistence.

On disk, ``INDEX_DIR`` holds one folder per build and a ``CURRENT`` file naming the live
one. A build is written into a temporary folder, then ``CURRENT`` is replaced atomically
(``os.replace``), so a crash or a full disk mid-build never damages the index in use.
Every file of a build is listed in its manifest with its sha256, and loading checks
them, so a truncated or garbled file is detected before FAISS ever reads it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.answer_types import sentence_types
from index.checksums import sha256_file
from index.embeddings import Encoder
from index.errors import EngineError, IndexCorrupt
from index.lexical import LexicalIndex, tokenize
from index.models import Article, Attribution, IndexInfo, Paragraph, Sentence
from index.vectors import VectorIndex

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CORPUS = "corpus.json"
SENTENCES = "sentences.faiss"
PARAGRAPHS = "paragraphs.faiss"
_KEEP_BUILDS = 2


class IndexWriteError(EngineError, OSError):
    """A new build could not be written (full disk, no permission); the old one is intact.

    Also an ``OSError``, the error it wraps."""


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """Row of the sentence table: which article, paragraph and sentence."""

    article: int
    paragraph: int  # 1-based block number
    index: int  # position of the sentence in its paragraph


@dataclass(frozen=True, slots=True)
class ParagraphRef:
    article: int
    paragraph: int


def sentence_document(sentence: Sentence) -> str:
    """The text embedded and matched for a sentence: the words and who says them."""
    a = sentence.attribution
    if a.speaker:
        who = f"{a.speaker}, {a.role}" if a.role else a.speaker
        return f"{who}: {sentence.text}"
    return sentence.text


@dataclass
class SearchIndex:
    """Everything needed to answer questions, held in memory."""

    articles: list[Article]
    sentence_refs: list[SentenceRef]
    paragraph_refs: list[ParagraphRef]
    sentence_vectors: VectorIndex
    paragraph_vectors: VectorIndex
    model: str
    built_at: str
    build_seconds: float
    #: The build folder's name in INDEX_DIR once saved or loaded ("" before): lets a
    #: process tell whether ``CURRENT`` names another build (published by another process).
    build: str = ""
    # derived tables, rebuilt in memory on load (cheap next to embedding)
    sentence_lexical: LexicalIndex = field(init=False)
    paragraph_lexical: LexicalIndex = field(init=False)
    sentence_paragraph_row: list[int] = field(init=False)
    paragraph_sentences: list[list[int]] = field(init=False)
    sentence_tokens: list[frozenset[str]] = field(init=False)
    paragraph_tokens: list[frozenset[str]] = field(init=False)
    sentence_types: list[frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        sentence_docs = [sentence_document(self.sentence(ref)) for ref in self.sentence_refs]
        paragraph_docs = [self.paragraph(r.article, r.paragraph).text for r in self.paragraph_refs]
        self.sentence_lexical = LexicalIndex(sentence_docs)
        self.paragraph_lexical = LexicalIndex(paragraph_docs)
        rows = {(ref.article, ref.paragraph): row for row, ref in enumerate(self.paragraph_refs)}
        self.sentence_paragraph_row = [rows[(r.article, r.paragraph)] for r in self.sentence_refs]
        self.paragraph_sentences = [[] for _ in self.paragraph_refs]
        for row, p_row in enumerate(self.sentence_paragraph_row):
            self.paragraph_sentences[p_row].append(row)
        self.sentence_tokens = [frozenset(tokenize(doc)) for doc in sentence_docs]
        self.paragraph_tokens = [frozenset(tokenize(doc)) for doc in paragraph_docs]
        self.sentence_types = [sentence_types(self.sentence(ref)) for ref in self.sentence_refs]

    def sentence(self, ref: SentenceRef) -> Sentence:
        return self.articles[ref.article].paragraph(ref.paragraph).sentences[ref.index]

    def paragraph(self, article: int, number: int) -> Paragraph:
        return self.articles[article].paragraph(number)

    def info(self) -> IndexInfo:
        return IndexInfo(
            articles=tuple((a.id, a.title) for a in self.articles),
            paragraphs=sum(1 for a in self.articles for p in a.paragraphs if p.quotable),
            sentences=len(self.sentence_refs),
            model=self.model,
            dimension=self.sentence_vectors.dimension,
            built_at=self.built_at,
            build_seconds=self.build_seconds,
        )


def build(articles: list[Article], encoder: Encoder) -> SearchIndex:
    """Embed the quotable paragraphs and sentences of ``articles`` into a new index."""
    started = time.perf_counter()
    sentence_refs: list[SentenceRef] = []
    paragraph_refs: list[ParagraphRef] = []
    seen: set[str] = set()
    for a, article in enumerate(articles):
        for paragraph in article.paragraphs:
            if not paragraph.quotable:
                continue
            paragraph_refs.append(ParagraphRef(a, paragraph.number))
            for i, sentence in enumerate(paragraph.sentences):
                key = " ".join(sentence.text.split()).casefold()
                if key in seen:  # the same sentence twice in the corpus: quote it once
                    continue
                seen.add(key)
                sentence_refs.append(SentenceRef(a, paragraph.number, i))
    paragraph_texts = [articles[r.article].paragraph(r.paragraph).text for r in paragraph_refs]
    sentence_texts = [
        articles[r.article].paragraph(r.paragraph).sentences[r.index].text for r in sentence_refs
    ]
    vectors = encoder.encode(paragraph_texts + sentence_texts)
    paragraph_vectors = VectorIndex(encoder.dimension)
    paragraph_vectors.add(vectors[: len(paragraph_texts)])
    sentence_vectors = VectorIndex(encoder.dimension)
    sentence_vectors.add(vectors[len(paragraph_texts) :])
    elapsed = time.perf_counter() - started
    return SearchIndex(
        articles=articles,
        sentence_refs=sentence_refs,
        paragraph_refs=paragraph_refs,
        sentence_vectors=sentence_vectors,
        paragraph_vectors=paragraph_vectors,
        model=getattr(encoder, "fingerprint", encoder.name),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(elapsed, 3),
    )


# ------------------------------------------------------------------ persistence


def _article_to_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "checksum": article.checksum,
        "text": article.text,
        "paragraphs": [
            {
                "number": p.number,
                "start": p.start,
                "end": p.end,
                "kind": p.kind,
                "sentences": [[s.start, s.end, s.attribution.to_dict()] for s in p.sentences],
            }
            for p in article.paragraphs
        ],
    }


def _article_from_json(data: dict[str, Any]) -> Article:
    text = data["text"]
    paragraphs = []
    for p in data["paragraphs"]:
        sentences = tuple(
            Sentence(p["number"], start, end, text[start:end], Attribution.from_dict(attr))
            for start, end, attr in p["sentences"]
        )
        paragraphs.append(
            Paragraph(
                p["number"], p["start"], p["end"], text[p["start"] : p["end"]], p["kind"], sentences
            )
        )
    return Article(data["id"], data["title"], text, data["checksum"], tuple(paragraphs))


def save(index: SearchIndex, index_dir: Path) -> Path:
    """Write ``index`` as a new build under ``index_dir`` and make it current, atomically.

    Any write error (a full disk, no permission) removes what was written of the new build
    and raises ``IndexWriteError``: ``CURRENT`` still names the previous build.
    """
    try:
        return _save(index, index_dir)
    except OSError as exc:
        log.error("could not save the new index in %s: %s", index_dir, exc)
        raise IndexWriteError(
            f"cannot save the new index in INDEX_DIR ({exc.strerror or exc})"
        ) from exc


def _save(index: SearchIndex, index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    final: Path | None = None
    try:
        (tmp / CORPUS).write_text(
            json.dumps(
                {
                    "articles": [_article_to_json(a) for a in index.articles],
                    "sentence_refs": [
                        [r.article, r.paragraph, r.index] for r in index.sentence_refs
                    ],
                    "paragraph_refs": [[r.article, r.paragraph] for r in index.paragraph_refs],
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        index.sentence_vectors.save(tmp / SENTENCES)
        index.paragraph_vectors.save(tmp / PARAGRAPHS)
        manifest = {
            "format": FORMAT_VERSION,
            "model": index.model,
            "dimension": index.sentence_vectors.dimension,
            "articles": {a.id: a.checksum for a in index.articles},
            "built_at": index.built_at,
            "build_seconds": index.build_seconds,
            "counts": {
                "articles": len(index.articles),
                "paragraphs": len(index.paragraph_refs),
                "sentences": len(index.sentence_refs),
            },
            "files": {name: sha256_file(tmp / name) for name in (CORPUS, SENTENCES, PARAGRAPHS)},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for path in tmp.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        name = f"build-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{tmp.name[-6:]}"
        tmp.rename(index_dir / name)
        final = index_dir / name
        _write_pointer(index_dir, name)
        index.build = name
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if final is not None:  # renamed, but CURRENT does not name it: an orphan
            shutil.rmtree(final, ignore_errors=True)
        raise
    _prune(index_dir, keep=name)
    log.info("saved index build %s", name)
    return final


def _write_pointer(index_dir: Path, name: str) -> None:
    """Replace ``CURRENT`` with one naming ``name``, atomically.

    The new pointer is a fresh file (``mkstemp``: never an existing file or a symbolic
    link planted in INDEX_DIR) renamed over ``CURRENT``.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{CURRENT}-", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, index_dir / CURRENT)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _prune(index_dir: Path, keep: str) -> None:
    """Remove old builds and abandoned temporary folders (never following a link)."""

    def folder(path: Path) -> bool:
        return path.is_dir() and not path.is_symlink()

    builds = sorted(p for p in index_dir.glob("build-*") if folder(p) and p.name != keep)
    for old in builds[: max(0, len(builds) - (_KEEP_BUILDS - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(".build-*"):
        if folder(stale) and time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def current_build(index_dir: Path) -> Path:
    """The build folder ``CURRENT`` names: a real folder directly in ``index_dir``."""
    pointer = index_dir / CURRENT
    if pointer.is_symlink():
        raise IndexCorrupt(f"{CURRENT} is a symbolic link, not a file the bot wrote")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise IndexCorrupt("no index has been built yet") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(f"cannot read {CURRENT}: {exc}") from exc
    if not name.startswith("build-") or "/" in name or "\\" in name:
        raise IndexCorrupt(f"{CURRENT} names an invalid build ({name[:40]!r})")
    build_dir = index_dir / name
    if build_dir.is_symlink():
        raise IndexCorrupt(f"build {name} named by {CURRENT} is a symbolic link")
    if not build_dir.is_dir():
        raise IndexCorrupt(f"build {name} named by {CURRENT} is missing")
    return build_dir


def read_manifest(build_dir: Path) -> dict[str, Any]:
    if (build_dir / MANIFEST).is_symlink():
        raise IndexCorrupt("the manifest is a symbolic link")
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorrupt("the manifest is missing") from exc
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"the manifest is unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexCorrupt("the manifest has an unknown format version")
    return manifest


def load(index_dir: Path, *, model: str, articles: dict[str, str] | None) -> SearchIndex:
    """Load the current build, refusing one that is corrupt or stale.

    ``articles`` maps each article id now in ARTICLES_DIR to its checksum; ``model`` is
    the encoder fingerprint in use; ``articles=None`` accepts any (the last good index
    while ARTICLES_DIR has a bad file). Raises ``IndexCorrupt`` saying why it must rebuild.
    """
    build_dir = current_build(index_dir)
    manifest = read_manifest(build_dir)
    if manifest.get("model") != model:
        raise IndexCorrupt(f"the index was built with another model ({manifest.get('model')})")
    if articles is not None and manifest.get("articles") != articles:
        raise IndexCorrupt("the articles changed since the index was built")
    files = manifest.get("files") or {}
    for name in (CORPUS, SENTENCES, PARAGRAPHS):
        path = build_dir / name
        if path.is_symlink():
            raise IndexCorrupt(f"{name} is a symbolic link")
        if not path.is_file():
            raise IndexCorrupt(f"{name} is missing")
        if files.get(name) != sha256_file(path):
            raise IndexCorrupt(f"{name} is damaged (checksum mismatch)")
    try:
        corpus = json.loads((build_dir / CORPUS).read_text(encoding="utf-8"))
        loaded = [_article_from_json(a) for a in corpus["articles"]]
        sentence_refs = [SentenceRef(*r) for r in corpus["sentence_refs"]]
        paragraph_refs = [ParagraphRef(*r) for r in corpus["paragraph_refs"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorrupt(f"{CORPUS} is malformed: {exc}") from exc
    dimension = int(manifest["dimension"])
    return SearchIndex(
        articles=loaded,
        sentence_refs=sentence_refs,
        paragraph_refs=paragraph_refs,
        sentence_vectors=VectorIndex.load(build_dir / SENTENCES, dimension, len(sentence_refs)),
        paragraph_vectors=VectorIndex.load(build_dir / PARAGRAPHS, dimension, len(paragraph_refs)),
        model=manifest["model"],
        built_at=manifest.get("built_at", ""),
        build_seconds=float(manifest.get("build_seconds", 0.0)),
        build=build_dir.name,
    )
