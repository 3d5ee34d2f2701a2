"""Model files: offline resolution, sha256 pins, refusal of tampered files, layout check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.encoding.model_files import (
    BUNDLED_NAME,
    BUNDLED_SHA256,
    SUMS_FILE,
    is_bert_mean_pooling,
    load_tokenizer,
    prepare_model,
    read_sums,
    resolve_model,
    verify_files,
)
from index.errors import ModelError


def linked_copy(source: Path, target: Path, names) -> Path:
    """``target`` holding symlinks to ``names`` of the folder ``source``."""
    target.mkdir(exist_ok=True)
    for name in names:
        (target / name).symlink_to(source / name)
    return target


def test_bundled_model_matches_upstream_hashes():
    """The packaged model files are byte-identical to upstream all-MiniLM-L6-v2."""
    model_dir, name, expected = resolve_model("bundled")
    assert name == BUNDLED_NAME
    assert expected == BUNDLED_SHA256
    verify_files(model_dir, expected)


def test_prepare_model_names_the_weights():
    """The fingerprint an index records is the name and the pinned weights' sha256."""
    files = prepare_model("bundled")
    assert files.name == BUNDLED_NAME
    assert files.fingerprint == f"{BUNDLED_NAME}@{BUNDLED_SHA256['model.safetensors'][:12]}"
    assert dict(files.sums) == BUNDLED_SHA256
    assert prepare_model("all-MiniLM-L6-v2") == files


def test_tampered_file_is_refused(tmp_path: Path):
    """A model directory whose file differs from its pin is refused with a clear error."""
    model_dir, _, expected = resolve_model("bundled")
    linked_copy(model_dir, tmp_path, expected)
    (tmp_path / "config.json").unlink()
    (tmp_path / "config.json").write_text('{"tampered": true}')
    with pytest.raises(ModelError, match=r"config\.json .* does not match"):
        verify_files(tmp_path, expected)


def test_missing_pinned_file_is_refused(tmp_path: Path):
    """A pinned file that is not there is named in the error."""
    with pytest.raises(ModelError, match=r"model file tokenizer\.json is missing"):
        verify_files(tmp_path, {"tokenizer.json": "0" * 64})


def test_user_model_pins_are_read(tmp_path: Path):
    """A user-supplied model directory can pin its own files in SHA256SUMS."""
    (tmp_path / SUMS_FILE).write_text("ab12  model.safetensors\ncd34 *tokenizer.json\n")
    assert read_sums(tmp_path) == {"model.safetensors": "ab12", "tokenizer.json": "cd34"}
    assert read_sums(tmp_path / "elsewhere") == {}


@pytest.mark.parametrize("name", ["../outside.bin", "sub/model.bin", "..", "a\\b"])
def test_pins_naming_files_outside_the_folder_are_refused(tmp_path: Path, name: str):
    """SHA256SUMS may only pin files of the model folder itself."""
    (tmp_path / SUMS_FILE).write_text(f"{'0' * 64}  {name}\n")
    with pytest.raises(ModelError, match="which is not a file name in the model folder"):
        read_sums(tmp_path)


def test_user_model_without_pins_is_used_with_a_warning(tmp_path: Path, caplog):
    """A local folder without SHA256SUMS loads, unverified, and says so once."""
    model_dir, _, _ = resolve_model("bundled")
    linked_copy(model_dir, tmp_path, ["config.json"])
    files = prepare_model(str(tmp_path))
    assert files.path == tmp_path.resolve()
    assert files.fingerprint.endswith("@unpinned")
    assert "has no pinned sha256 sums" in caplog.text


def test_hub_names_are_refused():
    """A hub model name is refused: models load offline, by path."""
    with pytest.raises(ModelError, match="not a local model directory"):
        resolve_model("BAAI/bge-small-en-v1.5")


def test_layout_check(tmp_path: Path):
    """The bundled MiniLM is BERT + mean pooling; CLS pooling is not (sentence-transformers)."""
    model_dir, _, _ = resolve_model("bundled")
    assert is_bert_mean_pooling(model_dir)
    linked_copy(model_dir, tmp_path, ["model.safetensors", "tokenizer.json", "modules.json"])
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_act": "gelu"}))
    assert not is_bert_mean_pooling(tmp_path)
    assert not is_bert_mean_pooling(tmp_path / "missing")


def test_tokenizer_truncates_at_max_seq_length():
    """Every backend's tokens stop at the model's max_seq_length (256 for MiniLM)."""
    tokenizer, config = load_tokenizer(resolve_model("bundled")[0])
    assert config["hidden_size"] == 384
    (long, short) = tokenizer.encode_batch(["word " * 1000, "one"])
    assert len(long.ids) == 256
    assert len(short.ids) == 256  # padded to the batch
    assert sum(short.attention_mask) == 3  # [CLS] one [SEP]
