"""Train the reader (``index/reader/``): a small cross-encoder from the bundled MiniLM weights.

Usage::

    python -m bench.train_reader                  # collect, 2-fold by article, print held-out
    python -m bench.train_reader --write          # ... then fit on everything and ship it

Reproducible: seeded (``--seed``), the data files are named with their sha256 in the
output, and the pairs are the engine's own candidates. Nothing is copied into the
repository: the SQuAD folder is read where it lies (``../shared/external/squad2-dev``).

Pairs (question, sentence), label 1 when the sentence answers the question:

- SQuAD 2.0: every question against the engine's top ``--top`` candidates from an index
  of all the articles (the answer's sentence is the positive, the rest are hard
  negatives; an adversarial unanswerable question has only negatives, the sentence its
  plausible answer sits in among them) and, for an answerable question, the other
  sentences of its paragraph;
- our dev sets (``bench.evaluate`` sets with role "dev") the same way;
- one-word swaps: each positive sentence with one of the words it shares with the
  question swapped (another number, another name from the same article, an opposite, a
  negation added or dropped), labelled 0: the confident wrong answers the bi-encoder
  cannot tell apart from right ones.

Held out by article: groups (a SQuAD article, a dev set) are split into two folds; each
fold's pairs are scored by a model trained on the other fold, and every figure printed
comes from those out-of-fold scores. The fold models are kept in ``var/reader/`` for
``bench.calibrate --reader-folds`` (out-of-fold reader signals for the calibration). The
shipped model is then trained on everything, exported to ONNX, quantised to int8 and
written to ``index/reader/reader.onnx`` with its sha256 in ``index/reader/pin.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import re
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bench.calibrate import DEFAULT_SQUAD, _engine
from bench.embedding_cache import CachedEncoder
from bench.evaluate import SETS, _load, _squad_hit, matches
from index.checksums import sha256_file
from index.encoding.factory import load_encoder
from index.encoding.model_files import prepare_model
from index.reader import pin
from index.reader.model import EMBEDDINGS, READER_FILE
from index.reader.pairs import PairTokenizer, sentence_side
from index.retrieval.retriever import validate_question

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "reader"
CACHE = ROOT / "var" / "calibrate-cache"
PIN = ROOT / "index" / "reader" / "pin.py"

OPPOSITES = [
    ("before", "after"),
    ("first", "last"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("opened", "closed"),
    ("open", "closed"),
    ("won", "lost"),
    ("rose", "fell"),
    ("more", "less"),
    ("higher", "lower"),
    ("started", "ended"),
    ("start", "end"),
    ("allowed", "banned"),
    ("accepted", "rejected"),
    ("north", "south"),
    ("east", "west"),
    ("early", "late"),
    ("largest", "smallest"),
    ("maximum", "minimum"),
    ("most", "least"),
    ("earlier", "later"),
    ("above", "below"),
    ("inside", "outside"),
    ("major", "minor"),
    ("positive", "negative"),
    ("supported", "opposed"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("import", "export"),
    ("imports", "exports"),
    ("upper", "lower"),
    ("new", "old"),
    ("largest", "smallest"),
    ("always", "never"),
    ("strong", "weak"),
    ("success", "failure"),
    ("public", "private"),
    ("internal", "external"),
    ("before", "after"),
    ("long", "short"),
    ("western", "eastern"),
    ("northern", "southern"),
    ("direct", "indirect"),
    ("legal", "illegal"),
    ("refundable", "non-refundable"),
    ("born", "died"),
]
OPPOSITE = {a: b for a, b in OPPOSITES} | {b: a for a, b in OPPOSITES}
AUXILIARIES = {"is", "was", "are", "were", "has", "had", "have", "will", "can", "could", "did"}
NEGATED = re.compile(r"\b(not|never|no longer)\s+", re.I)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
log = logging.getLogger(__name__)


@dataclass
class Pair:
    group: str  # held out with this (a SQuAD article file, a dev set name)
    qid: str  # one question
    question: str
    sentence: str  # segment B as the reader reads it (pairs.sentence_side)
    label: int
    rank: int  # the engine's rank of the candidate (-1: added, not retrieved)
    score: float  # the engine's ranking score (0 when added)
    kind: str  # squad | squad-unanswerable | dev | dev-off | swap


# ---------------------------------------------------------------------- collecting
def _candidates(engine, questions: list[str], encoder, top: int):
    retriever = engine._live()
    index = engine.search_index
    texts = [validate_question(q) for q in questions]
    vectors = encoder.encode(texts)
    for i, text in enumerate(texts):
        prepared = retriever.prepare(text, vectors[i : i + 1])
        ranked = prepared.ranked[:top] if prepared else []
        yield text, [(c, index.sentence(c.ref)) for c in ranked]


def squad_pairs(folder: Path, encoder, top: int) -> list[Pair]:
    rows = [json.loads(x) for x in (folder / "questions.jsonl").open(encoding="utf-8") if x.strip()]
    files = sorted((folder / "articles").glob("*.txt"))
    paragraphs = {f.name: f.read_text(encoding="utf-8").split("\n\n")[1:] for f in files}
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(files, tmp, encoder)
        index = engine.search_index
        by_file = {a.id: [s for p in a.paragraphs for s in p.sentences] for a in index.articles}
        asked = _candidates(engine, [r["q"] for r in rows], encoder, top)
        for row, (text, ranked) in zip(rows, asked, strict=True):
            kind = "squad-unanswerable" if row["unanswerable"] else "squad"
            seen = set()
            for rank, (cand, sentence) in enumerate(ranked):
                article = index.articles[cand.ref.article].id
                hit = not row["unanswerable"] and _squad_hit(
                    row, sentence.text, article, paragraphs
                )
                seen.add(sentence.text)
                pairs.append(
                    Pair(
                        row["article_file"],
                        row["id"],
                        text,
                        sentence_side(sentence.text, sentence.attribution),
                        int(hit),
                        rank,
                        cand.score,
                        kind,
                    )
                )
            if row["unanswerable"]:
                continue
            block = paragraphs[row["article_file"]][row["paragraph_index"]]
            for sentence in by_file.get(row["article_file"], []):
                if sentence.text in seen or block.find(sentence.text) < 0:
                    continue
                hit = _squad_hit(row, sentence.text, row["article_file"], paragraphs)
                pairs.append(
                    Pair(
                        row["article_file"],
                        row["id"],
                        text,
                        sentence_side(sentence.text, sentence.attribution),
                        int(hit),
                        -1,
                        0.0,
                        kind,
                    )
                )
    return pairs


def dev_pairs(encoder, top: int) -> list[Pair]:
    pairs: list[Pair] = []
    for name, (articles_dir, questions, role) in SETS.items():
        if role != "dev":
            continue
        items = _load(questions)
        with tempfile.TemporaryDirectory() as tmp:
            engine = _engine(sorted(Path(articles_dir).glob("*.*")), tmp, encoder)
            asked = _candidates(engine, [it["question"] for it in items], encoder, top)
            for n, (item, (text, ranked)) in enumerate(zip(items, asked, strict=True)):
                off = bool(item.get("off_topic"))
                for rank, (cand, sentence) in enumerate(ranked):
                    hit = not off and any(matches(sentence.text, g) for g in item["gold"])
                    pairs.append(
                        Pair(
                            name,
                            f"{name}:{n}",
                            text,
                            sentence_side(sentence.text, sentence.attribution),
                            int(hit),
                            rank,
                            cand.score,
                            "dev-off" if off else "dev",
                        )
                    )
    return pairs


def swap(question: str, sentence: str, names: list[str], rng: random.Random) -> str | None:
    """The sentence with one word it shares with the question changed so that it no longer
    answers it (a number, a name, an opposite, a negation), or None when none applies."""
    q_words = {w.lower() for w in WORD.findall(question)}
    tokens = list(WORD.finditer(sentence))
    shared = [m for m in tokens if m.group().lower() in q_words]
    options = []
    for m in shared:
        word = m.group()
        if word[0].isdigit():
            digits = re.sub(r"\D", "", word)
            if digits:
                value = int(digits[:9])
                other = value + rng.choice([-3, -2, -1, 1, 2, 3, 10])
                if other >= 0 and other != value:
                    options.append((m, str(other)))
        elif word.lower() in OPPOSITE:
            other = OPPOSITE[word.lower()]
            options.append((m, other.capitalize() if word[0].isupper() else other))
        elif word[0].isupper() and m.start() > 0:
            pool = [n for n in names if n.lower() not in q_words and n != word]
            if pool:
                options.append((m, rng.choice(pool)))
    for m in tokens:
        if m.group().lower() in AUXILIARIES and shared:
            options.append((m, f"{m.group()} not"))
    negation = NEGATED.search(sentence)
    if negation and shared:
        options.append((negation, ""))
    if not options:
        return None
    m, other = rng.choice(options)
    changed = sentence[: m.start()] + other + sentence[m.end() :]
    return changed if changed != sentence else None


def swap_pairs(pairs: list[Pair], seed: int) -> list[Pair]:
    rng = random.Random(seed)
    names: dict[str, set[str]] = {}
    for p in pairs:
        names.setdefault(p.group, set()).update(
            w for w in WORD.findall(p.sentence)[1:] if w[0].isupper() and len(w) > 2
        )
    pools = {g: sorted(v) for g, v in names.items()}
    out = []
    for p in pairs:
        if p.label != 1:
            continue
        changed = swap(p.question, p.sentence, pools[p.group], rng)
        if changed:
            out.append(Pair(p.group, p.qid, p.question, changed, 0, -1, 0.0, "swap"))
    return out


def collect(squad: Path, top: int, seed: int) -> list[Pair]:
    encoder = CachedEncoder(load_encoder(), CACHE)
    pairs = squad_pairs(squad, encoder, top) + dev_pairs(encoder, top)
    return pairs + swap_pairs(pairs, seed)


# ---------------------------------------------------------------------- the model
def build_model(torch, files, layers: int):
    """Frozen bundled embeddings, ``layers`` trainable layers from the bundled ones, a head."""
    from safetensors.torch import load_file

    weights = load_file(str(files.path / "model.safetensors"))
    config = json.loads((files.path / "config.json").read_text(encoding="utf-8"))
    prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
    w = {k[len(prefix) :]: v.float() for k, v in weights.items()}
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    nn, functional = torch.nn, torch.nn.functional

    class Layers(nn.Module):
        """The transformer layers, the pooling and the head: what ``reader.onnx`` holds."""

        def __init__(self) -> None:
            super().__init__()
            self.params = nn.ParameterDict(
                {
                    k.replace(".", "__"): nn.Parameter(v.clone())
                    for k, v in w.items()
                    if k.startswith("encoder.layer.") and int(k.split(".")[2]) < layers
                }
            )
            self.head = nn.Linear(hidden, 1)
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)

        def p(self, name):
            return self.params[name.replace(".", "__")]

        def linear(self, x, name):
            return functional.linear(x, self.p(f"{name}.weight"), self.p(f"{name}.bias"))

        def norm(self, x, name):
            return functional.layer_norm(
                x, (hidden,), self.p(f"{name}.weight"), self.p(f"{name}.bias"), eps
            )

        def forward(self, x, mask):
            maskf = mask.to(torch.float32)
            batch, length = x.shape[0], x.shape[1]
            additive = ((1.0 - maskf) * -1e9)[:, None, None, :]
            head_dim = hidden // heads

            def split(t):
                return t.view(batch, length, heads, head_dim).transpose(1, 2)

            for layer in range(layers):
                pre = f"encoder.layer.{layer}"
                q = split(self.linear(x, f"{pre}.attention.self.query"))
                k = split(self.linear(x, f"{pre}.attention.self.key"))
                v = split(self.linear(x, f"{pre}.attention.self.value"))
                scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + additive
                context = functional.dropout(scores.softmax(-1), 0.1, self.training) @ v
                context = context.transpose(1, 2).reshape(batch, length, hidden)
                x = self.norm(
                    self.linear(context, f"{pre}.attention.output.dense") + x,
                    f"{pre}.attention.output.LayerNorm",
                )
                inner = functional.gelu(self.linear(x, f"{pre}.intermediate.dense"))
                out = functional.dropout(
                    self.linear(inner, f"{pre}.output.dense"), 0.1, self.training
                )
                x = self.norm(out + x, f"{pre}.output.LayerNorm")
            pooled = (x * maskf[:, :, None]).sum(1) / maskf.sum(1, keepdim=True).clamp(min=1.0)
            return self.head(pooled).squeeze(-1)

    embeddings = {name: w[name] for name in EMBEDDINGS}

    def embed(ids, types):
        e = embeddings
        x = (
            e["embeddings.word_embeddings.weight"][ids]
            + e["embeddings.position_embeddings.weight"][: ids.shape[1]][None]
            + e["embeddings.token_type_embeddings.weight"][types]
        )
        return functional.layer_norm(
            x,
            (hidden,),
            e["embeddings.LayerNorm.weight"],
            e["embeddings.LayerNorm.bias"],
            eps,
        )

    return Layers(), embed


def tensors(torch, tokenizer: PairTokenizer, pairs: list[Pair]):
    """Per pair: ids, types, mask (lists, unpadded)."""
    out = []
    for p in pairs:
        ids, types, mask = tokenizer.encode(p.question, [p.sentence])
        out.append((ids[0], types[0], mask[0]))
    return out


def batches(encoded, order, size):
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        length = max(len(encoded[i][0]) for i in rows)
        arrays = []
        for field in range(3):
            a = np.zeros((len(rows), length), dtype=np.int64)
            for j, i in enumerate(rows):
                a[j, : len(encoded[i][field])] = encoded[i][field]
            arrays.append(a)
        yield rows, arrays


def train(torch, files, layers, encoded, labels, epochs, seed, lr, batch=32):
    torch.manual_seed(seed)
    model, embed = build_model(torch, files, layers)
    model.train()
    head = [p for n, p in model.named_parameters() if n.startswith("head")]
    body = [p for n, p in model.named_parameters() if not n.startswith("head")]
    optimiser = torch.optim.AdamW(
        [{"params": body, "lr": lr}, {"params": head, "lr": lr * 20}], weight_decay=0.01
    )
    steps = epochs * math.ceil(len(encoded) / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )
    y = torch.tensor(labels, dtype=torch.float32)
    positive = max(1.0, float((y == 0).sum()) / max(1.0, float(y.sum())))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(min(positive, 4.0)))
    rng = random.Random(seed)
    started = time.time()
    for epoch in range(epochs):
        # similar lengths together (little padding), batches shuffled
        order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
        chunks = [order[i : i + batch] for i in range(0, len(order), batch)]
        rng.shuffle(chunks)
        total = 0.0
        for rows, (ids, types, mask) in batches(encoded, [i for c in chunks for i in c], batch):
            with torch.no_grad():
                x = embed(torch.from_numpy(ids), torch.from_numpy(types))
            logits = model(x, torch.from_numpy(mask))
            loss = loss_fn(logits, y[rows])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(rows)
        print(
            f"  epoch {epoch + 1}/{epochs}: loss {total / len(encoded):.4f} "
            f"({time.time() - started:.0f} s)",
            flush=True,
        )
    model.eval()
    return model, embed


def predict(torch, model, embed, encoded) -> np.ndarray:
    out = np.zeros(len(encoded), dtype=np.float32)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    with torch.inference_mode():
        for rows, (ids, types, mask) in batches(encoded, order, 64):
            x = embed(torch.from_numpy(ids), torch.from_numpy(types))
            out[rows] = model(x, torch.from_numpy(mask)).numpy()
    return out


def export(torch, model, path: Path) -> None:
    """ONNX (inputs ``hidden``, ``mask``; output ``logit``), then int8 weights."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    sample = (torch.randn(2, 7, 384), torch.ones(2, 7, dtype=torch.long))
    path.parent.mkdir(parents=True, exist_ok=True)
    fp32 = path.with_suffix(".fp32.onnx")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(),
            sample,
            str(fp32),
            dynamo=False,
            input_names=["hidden", "mask"],
            output_names=["logit"],
            dynamic_axes={"hidden": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}},
            opset_version=17,
            do_constant_folding=True,
        )
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()


# ---------------------------------------------------------------------- figures
def folds(groups: set[str]) -> dict[str, int]:
    """Two folds, alternating over the sorted SQuAD articles and, apart, the dev sets."""
    squad = sorted(g for g in groups if g.endswith(".txt"))
    dev = sorted(g for g in groups if not g.endswith(".txt"))
    return {g: i % 2 for i, g in enumerate(squad)} | {g: i % 2 for i, g in enumerate(dev)}


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]))
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def question_figures(pairs: list[Pair], logits: np.ndarray, alpha: float, scale: float) -> dict:
    """hit@1/@3 of the engine's order vs reread (score + alpha * logit / scale), over the
    retrieved candidates of answerable questions; AUC of the best reader probability,
    answerable vs unanswerable."""
    by_q: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        if p.rank >= 0:
            by_q.setdefault(p.qid, []).append(i)
    engine1 = engine3 = read1 = read3 = n = 0
    best, answerable = [], []
    for rows in by_q.values():
        kind = pairs[rows[0]].kind
        base = sorted(rows, key=lambda i: pairs[i].rank)
        reread = sorted(rows, key=lambda i: -(pairs[i].score + alpha * logits[i] / scale))
        best.append(max(logits[i] for i in rows))
        answerable.append(int(kind in ("squad", "dev")))
        if kind not in ("squad", "dev"):
            continue
        n += 1
        engine1 += pairs[base[0]].label
        engine3 += any(pairs[i].label for i in base[:3])
        read1 += pairs[reread[0]].label
        read3 += any(pairs[i].label for i in reread[:3])
    return {
        "questions": n,
        "engine hit@1": engine1 / max(n, 1),
        "engine hit@3": engine3 / max(n, 1),
        "reread hit@1": read1 / max(n, 1),
        "reread hit@3": read3 / max(n, 1),
        "answerable vs not, AUC of best": auc(np.array(best), np.array(answerable)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--top", type=int, default=8, help="engine candidates per question")
    parser.add_argument("--layers", type=int, default=pin.LAYERS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0, help="train on at most N pairs (trial)")
    parser.add_argument(
        "--train-top", type=int, default=5, help="train on the first N candidates (and positives)"
    )
    parser.add_argument("--no-folds", action="store_true", help="skip the held-out folds")
    parser.add_argument("--write", action="store_true", help="ship the model fitted on all")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    import torch

    torch.set_num_threads(2)
    if not (args.squad / "questions.jsonl").is_file():
        print(f"error: no SQuAD 2.0 folder at {args.squad} (use --squad DIR)", file=sys.stderr)
        return 2
    print("data:")
    for path in [args.squad / "questions.jsonl", *sorted((args.squad / "articles").glob("*"))]:
        print(f"  {sha256_file(path)}  {path.relative_to(args.squad.parent)}")
    WORK.mkdir(parents=True, exist_ok=True)
    cached = WORK / f"pairs-top{args.top}-seed{args.seed}.json"
    if cached.is_file():
        pairs = [Pair(**p) for p in json.loads(cached.read_text(encoding="utf-8"))]
    else:
        pairs = collect(args.squad, args.top, args.seed)
        cached.write_text(json.dumps([asdict(p) for p in pairs]), encoding="utf-8")
    kinds = {}
    for p in pairs:
        kinds[p.kind] = kinds.get(p.kind, [0, 0])
        kinds[p.kind][p.label] += 1
    print(f"pairs: {len(pairs)} ({', '.join(f'{k} {v[1]}+/{v[0]}-' for k, v in kinds.items())})")
    files = prepare_model("bundled")
    tokenizer = PairTokenizer(files.path / "tokenizer.json")
    encoded = tensors(torch, tokenizer, pairs)
    labels = [p.label for p in pairs]
    fold_of = folds({p.group for p in pairs})
    trainable = [
        i
        for i, p in enumerate(pairs)
        if p.rank < args.train_top and (p.rank >= 0 or p.label == 1 or p.kind == "swap")
    ]
    if not args.no_folds:
        oof = np.zeros(len(pairs), dtype=np.float32)
        for fold in (0, 1):
            train_rows = [i for i in trainable if fold_of[pairs[i].group] != fold]
            test_rows = [i for i, p in enumerate(pairs) if fold_of[p.group] == fold]
            if args.limit:
                train_rows = random.Random(args.seed).sample(
                    train_rows, min(args.limit, len(train_rows))
                )
            print(f"fold {fold}: train {len(train_rows)} pairs, score {len(test_rows)}", flush=True)
            model, embed = train(
                torch,
                files,
                args.layers,
                [encoded[i] for i in train_rows],
                [labels[i] for i in train_rows],
                args.epochs,
                args.seed,
                args.lr,
            )
            oof[test_rows] = predict(torch, model, embed, [encoded[i] for i in test_rows])
            export(torch, model, WORK / f"fold{fold}.onnx")
        (WORK / "folds.json").write_text(
            json.dumps({"layers": args.layers, "folds": fold_of}), encoding="utf-8"
        )
        np.save(WORK / "oof.npy", oof)
        y = np.array(labels)
        print("held out by article (out-of-fold):")
        for kind in sorted(kinds):
            rows = np.array([p.kind == kind for p in pairs])
            print(f"  {kind}: mean p {1 / (1 + np.exp(-oof[rows])).mean():.3f}")
        retrieved = np.array([p.rank >= 0 for p in pairs])
        print(f"  pair AUC, retrieved candidates: {auc(oof[retrieved], y[retrieved]):.3f}")
        swaps = {p.qid for p in pairs if p.kind == "swap"}
        pos = np.array([p.label == 1 and p.qid in swaps for p in pairs])
        neg = np.array([p.kind == "swap" for p in pairs])
        print(
            f"  answer above its one-word swap (pair AUC): {auc(oof[pos | neg], y[pos | neg]):.3f}"
        )
        scale = float(np.std([p.score for p in pairs if p.rank >= 0]) / max(np.std(oof), 1e-6))
        for source in ("squad", "dev"):
            subset = [i for i, p in enumerate(pairs) if p.kind.startswith(source)]
            sub_pairs = [pairs[i] for i in subset]
            for alpha in (0.0, 0.5, 1.0, 2.0, 4.0, 100.0):
                figures = question_figures(sub_pairs, oof[subset], alpha, 1.0 / scale)
                print(
                    f"  {source} alpha {alpha}: "
                    + ", ".join(
                        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in figures.items()
                    )
                )
        print(f"  (reread = engine score + alpha x logit x {scale:.4f})")
    if args.write:
        print(f"final: train {len(trainable)} pairs", flush=True)
        model, embed = train(
            torch,
            files,
            args.layers,
            [encoded[i] for i in trainable],
            [labels[i] for i in trainable],
            args.epochs,
            args.seed,
            args.lr,
        )
        export(torch, model, READER_FILE)
        digest = sha256_file(READER_FILE)
        PIN.write_text(
            '"""Written by ``bench/train_reader.py --write``: the shipped reader\'s shape and '
            'sha256."""\n\n'
            f'LAYERS = {args.layers}\nREADER_SHA256 = "{digest}"\nREADER_WEIGHT = 0.0\n',
            encoding="utf-8",
        )
        size = READER_FILE.stat().st_size / 1e6
        print(f"wrote {READER_FILE.relative_to(ROOT)} ({size:.1f} MB, sha256 {digest[:12]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
