"""The searchable index: parsed articles, FAISS vectors, BM25, and their persistence.

On disk, ``INDEX_DIR`` holds one folder per build and a ``CURRENT`` file naming the live
one. A build is written into a temporary folder, then ``CURRENT`` is replaced atomically
(``os.replace``), so a crash or a full disk mid-build never damages the index in use.
Before anything is written, the build's size is estimated from what it will write (the
vectors, the corpus, the BM25 tables) and compared with the free space, so a full disk
fails early with both numbers (``InsufficientSpace``); a failed write removes what it
wrote. After a build, older builds are pruned: the new one and its predecessor stay.
Every file of a build is listed in its manifest with its sha256, and loading checks
them, so a truncated or garbled file is detected before FAISS ever reads it. Verified
files are then memory-mapped where FAISS and bm25s allow, so processes serving the same
build share one copy of the vectors and BM25 arrays.

Builds are incremental: a new build reuses the previous build's vector of every text
(paragraph or sentence) it already embedded with the same model, and its parse of every
article whose bytes and parser are unchanged (``index/search/incremental.py``), so changing one
article of a thousand re-embeds that article only. The sentences' BM25 table is saved
with the build (paragraphs have none: no ranking feature reads one), and the per-row
tables only the ranker's candidates need (token sets, answer types) are computed on
first use, so loading a large index does not re-tokenize it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from index.checksums import sha256_file
from index.encoding.base import Encoder
from index.errors import EncoderFailed, EngineError, IndexCorrupt
from index.models import Article, Attribution, IndexInfo, Paragraph, Sentence
from index.parsing.parser_version import parser_fingerprint
from index.retrieval.answer_types import sentence_types
from index.search.lexical import LexicalIndex, tokenize
from index.search.vectors import VectorIndex

log = logging.getLogger(__name__)

# 3: BM25 tables saved with the build, every file of the build listed with its sha256,
#    the parser fingerprint recorded; older builds are rebuilt from scratch on load.
FORMAT_VERSION = 3
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CORPUS = "corpus.json"
SENTENCES = "sentences.faiss"
PARAGRAPHS = "paragraphs.faiss"
SENTENCE_BM25 = "sentences.bm25"  # folders
T = TypeVar("T")


class IndexWriteError(EngineError, OSError):
    """A new build could not be written (full disk, no permission); the old one is intact.

    Also an ``OSError``, the error it wraps, with its ``errno``."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.errno = code
        self.strerror = os.strerror(code) if code is not None else None


class InsufficientSpace(IndexWriteError):
    """Not enough free space (or inodes) in INDEX_DIR for a build: found before writing,
    or a write that failed with ENOSPC/EDQUOT. ``needed`` and ``free`` are bytes."""

    def __init__(self, needed: int, free: int, *, inodes: bool = False) -> None:
        self.needed = needed
        self.free = free
        self.inodes = inodes  # out of inodes rather than bytes
        super().__init__(f"cannot save the new index: {self.reason}", errno.ENOSPC)

    @property
    def reason(self) -> str:
        """ "no space left on device in INDEX_DIR (the build needs about 12 MB; 4 MB free)"."""
        if self.inodes:
            return "no free inodes left on the file system of INDEX_DIR"
        reason = f"no space left on device in INDEX_DIR ({space_text(self.needed, self.free)}"
        if self.free >= self.needed:  # a write failed with space to spare
            reason += "; the file system may be out of inodes or over a quota"
        return reason + ")"


def megabytes(size: int, *, up: bool) -> str:
    """``size`` bytes as "12 MB" or "0.4 MB" (one decimal under 10), rounded ``up`` or down,
    so a build that does not fit never reads as needing less than is free."""
    mb = size / 2**20
    if mb >= 10:
        return f"{math.ceil(mb) if up else math.floor(mb)} MB"
    tenths = math.ceil(mb * 10) if up else math.floor(mb * 10)
    return f"{tenths / 10:.1f} MB"


def space_text(needed: int, free: int) -> str:
    """ "the build needs about 12 MB; 4 MB free"."""
    return f"the build needs about {megabytes(needed, up=True)}; {megabytes(free, up=False)} free"


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


class LazyRows(Sequence[T], Generic[T]):
    """A read-only table whose row ``i`` is ``compute(i)``, computed on first use and kept.

    The ranker reads these tables for its few dozen candidates per question; computing
    them for every row up front would cost a large index seconds at every load. Two
    threads filling the same row store equal values, so no lock is needed."""

    __slots__ = ("_compute", "_values")
    _UNSET: Any = object()

    def __init__(self, size: int, compute: Callable[[int], T]) -> None:
        self._compute = compute
        self._values: list[Any] = [self._UNSET] * size

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        value = self._values[row]
        if value is self._UNSET:
            value = self._values[row] = self._compute(row if row >= 0 else row + len(self))
        return value

    def __iter__(self) -> Iterator[T]:
        return (self[i] for i in range(len(self)))


@dataclass(frozen=True, slots=True)
class EmbeddingStats:
    """What a build embedded and what it reused from the previous build."""

    embedded_articles: int = 0  # articles with at least one text embedded anew
    reused_articles: int = 0  # articles whose every vector came from the previous build
    removed_articles: int = 0  # articles of the previous build no longer in the corpus
    embedded_texts: int = 0  # distinct texts embedded
    reused_texts: int = 0  # rows whose vector came from the previous build


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
    # the sentences' BM25 table: built here when not given (a fresh build), else loaded
    sentence_lexical: LexicalIndex = None  # type: ignore[assignment]
    embedding: EmbeddingStats = field(default_factory=EmbeddingStats)
    parser: str = ""  # parser_version.parser_fingerprint() of the code that parsed the articles
    # derived tables, rebuilt in memory on load; the per-row ones lazily
    sentence_paragraph_row: list[int] = field(init=False)
    paragraph_sentences: list[list[int]] = field(init=False)
    sentence_tokens: Sequence[frozenset[str]] = field(init=False)
    paragraph_tokens: Sequence[frozenset[str]] = field(init=False)
    sentence_types: Sequence[frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        if self.sentence_lexical is None:
            self.sentence_lexical = LexicalIndex([self._sentence_doc(r) for r in self._s_rows])
        rows = {(ref.article, ref.paragraph): row for row, ref in enumerate(self.paragraph_refs)}
        self.sentence_paragraph_row = [rows[(r.article, r.paragraph)] for r in self.sentence_refs]
        self.paragraph_sentences = [[] for _ in self.paragraph_refs]
        for row, p_row in enumerate(self.sentence_paragraph_row):
            self.paragraph_sentences[p_row].append(row)
        self.sentence_tokens = LazyRows(
            len(self.sentence_refs), lambda r: frozenset(tokenize(self._sentence_doc(r)))
        )
        self.paragraph_tokens = LazyRows(
            len(self.paragraph_refs), lambda r: frozenset(tokenize(self._paragraph_doc(r)))
        )
        self.sentence_types = LazyRows(
            len(self.sentence_refs), lambda r: sentence_types(self.sentence(self.sentence_refs[r]))
        )

    @property
    def _s_rows(self) -> range:
        return range(len(self.sentence_refs))

    def _sentence_doc(self, row: int) -> str:
        return sentence_document(self.sentence(self.sentence_refs[row]))

    def _paragraph_doc(self, row: int) -> str:
        ref = self.paragraph_refs[row]
        return self.paragraph(ref.article, ref.paragraph).text

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


def build(
    articles: list[Article], encoder: Encoder, previous: SearchIndex | None = None
) -> SearchIndex:
    """Embed the quotable paragraphs and sentences of ``articles`` into a new index.

    With ``previous`` (the last build, made with the same model), every paragraph or
    sentence whose exact text it already holds takes its vector from there instead of
    being embedded again: a build after changing one article embeds that article only.
    """
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
    texts = paragraph_texts + sentence_texts
    vectors, embedded = _embed(texts, encoder, previous)
    owners = [r.article for r in paragraph_refs] + [r.article for r in sentence_refs]
    touched = {owners[i] for i in embedded}
    new_ids = {a.id for a in articles}
    stats = EmbeddingStats(
        embedded_articles=len(touched),
        reused_articles=len(articles) - len(touched) if previous is not None else 0,
        removed_articles=(
            sum(1 for a in previous.articles if a.id not in new_ids) if previous else 0
        ),
        embedded_texts=len({texts[i] for i in embedded}),
        reused_texts=len(texts) - len(embedded),
    )
    paragraph_vectors = VectorIndex.build(encoder.dimension, vectors[: len(paragraph_texts)])
    sentence_vectors = VectorIndex.build(encoder.dimension, vectors[len(paragraph_texts) :])
    index = SearchIndex(
        articles=articles,
        sentence_refs=sentence_refs,
        paragraph_refs=paragraph_refs,
        sentence_vectors=sentence_vectors,
        paragraph_vectors=paragraph_vectors,
        model=encoder.fingerprint,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=0.0,
        embedding=stats,
        parser=parser_fingerprint(),
    )
    index.build_seconds = round(time.perf_counter() - started, 3)
    return index


def _embed(
    texts: list[str], encoder: Encoder, previous: SearchIndex | None
) -> tuple[np.ndarray, list[int]]:
    """Vectors of ``texts`` (rows in order) and the positions that had to be embedded.

    Texts the previous build (same model) holds take its stored vectors; each other
    distinct text is embedded once (a paragraph of one sentence is one text)."""
    known: dict[str, tuple[int, int]] = {}  # text -> (table, row); 0 paragraphs, 1 sentences
    if previous is not None and previous.model == encoder.fingerprint:
        for row in previous._s_rows:
            known.setdefault(previous.sentence(previous.sentence_refs[row]).text, (1, row))
        for row, ref in enumerate(previous.paragraph_refs):
            known.setdefault(previous.paragraph(ref.article, ref.paragraph).text, (0, row))
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    reuse: tuple[list[int], list[int]] = ([], [])  # rows to take from each previous table
    targets: tuple[list[int], list[int]] = ([], [])
    missing: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        hit = known.get(text)
        if hit is None:
            missing.setdefault(text, []).append(position)
        else:
            reuse[hit[0]].append(hit[1])
            targets[hit[0]].append(position)
    if previous is not None:
        for table, source in ((0, previous.paragraph_vectors), (1, previous.sentence_vectors)):
            if reuse[table]:
                vectors[targets[table]] = source.rows(reuse[table])
    # Called even with nothing to embed: every build passes through the encoder once, so
    # a reindex is always "embedding" while it runs (what callers that gate it rely on).
    try:
        fresh = encoder.encode(list(missing))
    except EngineError:
        raise
    except Exception as exc:  # torch, ONNX Runtime or the tokenizer: a crash, not a bad file
        log.debug("the embedding model failed on %d texts", len(missing), exc_info=True)
        raise EncoderFailed(
            f"the embedding model failed ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        ) from exc
    for row, positions in enumerate(missing.values()):
        vectors[positions] = fresh[row]
    return vectors, [p for positions in missing.values() for p in positions]


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

    The free space is checked first against the build's estimated size (``estimate_bytes``);
    older builds other than the live one are removed first when that makes it fit. A build
    that does not fit raises ``InsufficientSpace`` before anything is written; any write
    error (a full disk after all, no permission, an I/O error) removes what was written of
    the new build and raises ``IndexWriteError`` (``InsufficientSpace`` for ENOSPC and
    EDQUOT): ``CURRENT`` still names the previous build.
    """
    corpus = _corpus_bytes(index)
    needed = estimate_bytes(index, len(corpus))
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        _ensure_space(index_dir, needed)
        return _save(index, index_dir, corpus)
    except InsufficientSpace as exc:
        log.info("could not save the new index in %s: %s", index_dir, exc)
        raise
    except OSError as exc:
        log.info("could not save the new index in %s: %s", index_dir, exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientSpace(needed, free_bytes(index_dir)) from exc
        raise IndexWriteError(
            f"cannot save the new index in INDEX_DIR ({exc.strerror or exc})", exc.errno
        ) from exc


#: Files a build writes, about (corpus, manifest, two vector files, the BM25 folder of
#: six files): for the inode check and the per-file block slack of the estimate.
_BUILD_FILES = 10
_BLOCK = 4096


def estimate_bytes(index: SearchIndex, corpus_bytes: int) -> int:
    """About how many bytes ``save`` will write for ``index``: the vectors as FAISS stores
    them, the corpus JSON (``corpus_bytes``, exact), the BM25 tables, the manifest, plus a
    block of slack per file and 2% on top. Measured within a few percent above the real
    size (docs/reliability.md), so the free-space check fails early rather than mid-write.
    """
    vectors = index.sentence_vectors.stored_bytes() + index.paragraph_vectors.stored_bytes()
    lexical = index.sentence_lexical.stored_bytes()
    manifest = 1024 + 160 * len(index.articles) + 160 * _BUILD_FILES
    total = vectors + lexical + corpus_bytes + manifest
    return int(total * 1.02) + _BUILD_FILES * _BLOCK


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the file system holding ``path``."""
    usage = os.statvfs(_existing(path))
    return usage.f_bavail * usage.f_frsize


def _free_inodes(path: Path) -> int | None:
    usage = os.statvfs(_existing(path))
    return usage.f_favail if usage.f_files else None  # some file systems report no inodes


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _disk_usage(folder: Path) -> int:
    """Bytes on disk of the regular files under ``folder`` (links not followed)."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            info = path.lstat()
            if not path.is_symlink():
                total += info.st_blocks * 512
    return total


def _ensure_space(index_dir: Path, needed: int) -> None:
    """Raise ``InsufficientSpace`` unless ``needed`` bytes (and a build's inodes) are free.

    When they are not, builds other than the live one (the predecessor kept for safety) are
    removed first if that is enough: a build that fits beats a spare copy of an old one."""
    inodes = _free_inodes(index_dir)
    if inodes is not None and inodes < _BUILD_FILES + 4:
        raise InsufficientSpace(needed, free_bytes(index_dir), inodes=True)
    free = free_bytes(index_dir)
    if free >= needed:
        return
    live = _current_name(index_dir)
    spare = [p for p in _builds(index_dir) if p.name != live]
    reclaimable = sum(_disk_usage(p) for p in spare)
    if free + reclaimable < needed:
        raise InsufficientSpace(needed, free)
    for old in spare:
        log.warning("removing the old index build %s to make room for the new one", old.name)
        shutil.rmtree(old, ignore_errors=True)
    free = free_bytes(index_dir)
    if free < needed:
        raise InsufficientSpace(needed, free)


def _corpus_bytes(index: SearchIndex) -> bytes:
    return json.dumps(
        {
            "articles": [_article_to_json(a) for a in index.articles],
            "sentence_refs": [[r.article, r.paragraph, r.index] for r in index.sentence_refs],
            "paragraph_refs": [[r.article, r.paragraph] for r in index.paragraph_refs],
        },
        ensure_ascii=False,
    ).encode("utf-8")


def _save(index: SearchIndex, index_dir: Path, corpus: bytes) -> Path:
    previous = _current_name(index_dir)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    final: Path | None = None
    try:
        (tmp / CORPUS).write_bytes(corpus)
        index.sentence_vectors.save(tmp / SENTENCES)
        index.paragraph_vectors.save(tmp / PARAGRAPHS)
        index.sentence_lexical.save(tmp / SENTENCE_BM25)
        files = sorted(path for path in tmp.rglob("*") if path.is_file())
        manifest = {
            "format": FORMAT_VERSION,
            "model": index.model,
            "parser": index.parser,
            "dimension": index.sentence_vectors.dimension,
            "vector_index": {
                "sentences": index.sentence_vectors.kind,
                "paragraphs": index.paragraph_vectors.kind,
            },
            "articles": {a.id: a.checksum for a in index.articles},
            "built_at": index.built_at,
            "build_seconds": index.build_seconds,
            "counts": {
                "articles": len(index.articles),
                "paragraphs": len(index.paragraph_refs),
                "sentences": len(index.sentence_refs),
            },
            "files": {path.relative_to(tmp).as_posix(): sha256_file(path) for path in files},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for path in [*files, tmp / MANIFEST]:
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
    _prune(index_dir, keep=(name, previous))
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


def _folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _builds(index_dir: Path) -> list[Path]:
    """The build folders in ``index_dir`` (never a link), oldest name first."""
    return sorted(p for p in index_dir.glob("build-*") if _folder(p))


def _current_name(index_dir: Path) -> str | None:
    """The build ``CURRENT`` names, or None when there is none (or it is unreadable)."""
    try:
        return current_build(index_dir).name
    except IndexCorrupt:
        return None


def _prune(index_dir: Path, keep: tuple[str, str | None]) -> None:
    """Remove builds other than ``keep`` (the new build and its predecessor, the one
    ``CURRENT`` named before) and temporary folders abandoned over an hour ago; never
    following a link."""
    for old in _builds(index_dir):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(".build-*"):
        if _folder(stale) and time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


_PROBE = ".write-check-"


def check_writable(index_dir: Path) -> None:
    """Create and remove a file in ``index_dir``: an ``OSError`` (no permission, read-only,
    no inodes) before a build is read and embedded rather than when it is saved."""
    fd, name = tempfile.mkstemp(prefix=_PROBE, dir=index_dir)
    os.close(fd)
    os.unlink(name)


def remove_abandoned(index_dir: Path) -> list[str]:
    """Remove every half-written build folder (``.build-*``) and pointer file left in
    ``index_dir`` by a builder that died (``kill -9``, a power cut); returns their names.

    Only safe while holding the build lock (``index/search/builds.py``): no other process can be
    writing one then."""
    removed = []
    for path in index_dir.glob(".build-*"):
        if _folder(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for path in [*index_dir.glob(f".{CURRENT}-*"), *index_dir.glob(f"{_PROBE}*")]:
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    if removed:
        log.info("removed %d half-written file(s) of an interrupted build", len(removed))
    return removed


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


_REQUIRED = (CORPUS, SENTENCES, PARAGRAPHS)
_REQUIRED_FOLDERS = (SENTENCE_BM25,)


def verify_files(build_dir: Path, manifest: dict[str, Any]) -> None:
    """Check every file the manifest lists against its sha256; ``IndexCorrupt`` if not.

    The required files and folders must be listed; listed names must stay inside the
    build folder and be regular files, not symbolic links."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IndexCorrupt("the manifest lists no files")
    for name in _REQUIRED:
        if name not in files:
            raise IndexCorrupt(f"{name} is missing")
    for folder in _REQUIRED_FOLDERS:
        if not any(name.startswith(folder + "/") for name in files):
            raise IndexCorrupt(f"{folder} is missing")
    for name, want in files.items():
        parts = name.split("/")
        if not all(parts) or name.startswith("/") or ".." in parts or "\\" in name:
            raise IndexCorrupt(f"the manifest lists an invalid file name ({name[:40]!r})")
        if any(build_dir.joinpath(*parts[:i]).is_symlink() for i in range(1, len(parts) + 1)):
            raise IndexCorrupt(f"{name} is a symbolic link")
        path = build_dir / name
        if not path.is_file():
            raise IndexCorrupt(f"{name} is missing")
        if want != sha256_file(path):
            raise IndexCorrupt(f"{name} is damaged (checksum mismatch)")


def load(
    index_dir: Path, *, model: str, articles: dict[str, str] | None, mmap: bool = True
) -> SearchIndex:
    """Load the current build, refusing one that is corrupt or stale.

    ``articles`` maps each article id now in ARTICLES_DIR to its checksum; ``model`` is
    the encoder fingerprint in use; ``articles=None`` accepts any (the last good index
    while ARTICLES_DIR has a bad file). Raises ``IndexCorrupt`` saying why it must rebuild.
    Every file is checked against its sha256 first; then, with ``mmap``, the vectors and
    BM25 arrays are memory-mapped rather than read (shared between processes).
    """
    build_dir = current_build(index_dir)
    manifest = read_manifest(build_dir)
    if manifest.get("model") != model:
        raise IndexCorrupt(f"the index was built with another model ({manifest.get('model')})")
    if articles is not None and manifest.get("articles") != articles:
        raise IndexCorrupt("the articles changed since the index was built")
    verify_files(build_dir, manifest)
    try:
        corpus = json.loads((build_dir / CORPUS).read_text(encoding="utf-8"))
        loaded = [_article_from_json(a) for a in corpus["articles"]]
        sentence_refs = [SentenceRef(*r) for r in corpus["sentence_refs"]]
        paragraph_refs = [ParagraphRef(*r) for r in corpus["paragraph_refs"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorrupt(f"{CORPUS} is malformed: {exc}") from exc
    try:
        sentence_lexical = LexicalIndex.load(build_dir / SENTENCE_BM25, mmap=mmap)
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise IndexCorrupt(f"the BM25 tables are malformed: {exc}") from exc
    if len(sentence_lexical) != len(sentence_refs):
        raise IndexCorrupt("the BM25 tables do not match the corpus")
    dimension = int(manifest["dimension"])
    return SearchIndex(
        articles=loaded,
        sentence_refs=sentence_refs,
        paragraph_refs=paragraph_refs,
        sentence_vectors=VectorIndex.load(
            build_dir / SENTENCES, dimension, len(sentence_refs), mmap=mmap
        ),
        paragraph_vectors=VectorIndex.load(
            build_dir / PARAGRAPHS, dimension, len(paragraph_refs), mmap=mmap
        ),
        model=manifest["model"],
        built_at=manifest.get("built_at", ""),
        build_seconds=float(manifest.get("build_seconds", 0.0)),
        build=build_dir.name,
        sentence_lexical=sentence_lexical,
        parser=str(manifest.get("parser", "")),
    )


def load_previous(index_dir: Path, model: str) -> SearchIndex | None:
    """The current build, whatever articles it holds, to reuse in a new build; ``None``
    when there is none or it is damaged or from another model (then nothing is reused)."""
    try:
        return load(index_dir, model=model, articles=None)
    except IndexCorrupt as exc:
        log.info("nothing to reuse from the previous build: %s", exc)
        return None
