"""Settings: defaults, .env below the environment, and one message per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

TOKEN = "x" * 59


def test_defaults():
    """With nothing set, the bundled article and model are used and there is no token."""
    settings = Settings.from_mapping({})
    assert settings.discord_token is None
    assert settings.top_k == 3
    assert settings.articles_dir.name == "articles"
    assert settings.embedding_model == "bundled"


def test_all_values_parsed():
    """Every documented variable is read and typed."""
    settings = Settings.from_mapping(
        {
            "DISCORD_TOKEN": TOKEN,
            "ADMIN_USER_IDS": "1, 2,3",
            "DEV_GUILD_ID": "99",
            "ARTICLES_DIR": "/tmp/a",
            "INDEX_DIR": "/tmp/i",
            "EMBEDDING_MODEL": "/models/x",
            "TOP_K": "5",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.admin_user_ids == frozenset({1, 2, 3})
    assert settings.dev_guild_id == 99
    assert settings.engine.top_k == 5
    assert settings.engine.articles_dir == Path("/tmp/a")
    assert settings.log_level == "DEBUG"


def test_every_problem_is_listed():
    """Several bad values are all reported at once, each naming its variable."""
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping(
            {"TOP_K": "0", "ADMIN_USER_IDS": "abc", "DEV_GUILD_ID": "x1", "LOG_LEVEL": "LOUD"}
        )
    text = str(caught.value)
    for name in ("TOP_K", "ADMIN_USER_IDS", "DEV_GUILD_ID", "LOG_LEVEL"):
        assert name in text


def test_token_is_never_in_repr():
    """The token does not appear in the settings' repr (and so not in logs)."""
    settings = Settings.from_mapping({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert settings.discord_token == TOKEN


def test_malformed_token_is_refused_without_echoing_it():
    """A token with spaces is refused, and the message does not repeat it."""
    bad = "abc def " * 10
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping({"DISCORD_TOKEN": bad})
    assert bad.strip() not in str(caught.value)


def test_env_file_under_environment(tmp_path: Path):
    """.env supplies values; the process environment overrides them."""
    env_file = tmp_path / ".env"
    env_file.write_text("TOP_K=4\nDEV_GUILD_ID=7\n")
    settings = Settings.load(env_file, environ={"TOP_K": "6"})
    assert settings.top_k == 6
    assert settings.dev_guild_id == 7


@pytest.mark.parametrize(
    ("env", "count", "ids", "syncs"),
    [
        ({}, None, None, True),
        ({"SHARD_COUNT": "4"}, 4, None, True),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-1"}, 4, (0, 1), True),
        ({"SHARD_COUNT": "8", "SHARD_IDS": "6, 2-3,3"}, 8, (2, 3, 6), False),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, 2, (1,), False),
    ],
)
def test_shard_settings_parsed(env, count, ids, syncs):
    """SHARD_COUNT and SHARD_IDS (ids and ranges) are read; only shard 0's owner syncs."""
    settings = Settings.from_mapping(env)
    assert settings.shard_count == count
    assert settings.shard_ids == ids
    assert settings.syncs_commands is syncs


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a whole number from 1"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a whole number from 1"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "shard 2 does not exist with SHARD_COUNT=2"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-9"}, "shard 9 does not exist with SHARD_COUNT=4"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "'3-1' is not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "a,1"}, "'a' is not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,,1"}, "'' is not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, "'-1' is not a shard id or a range"),
        ({"INDEX_WATCH_SECONDS": "-1"}, "INDEX_WATCH_SECONDS must be a whole number from 0"),
    ],
)
def test_bad_shard_settings_are_explained(env, message):
    """A bad SHARD_COUNT / SHARD_IDS / INDEX_WATCH_SECONDS gets one clear message."""
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping(env)
    assert message in str(caught.value)


def test_index_watch_seconds():
    """INDEX_WATCH_SECONDS defaults to 5 and 0 turns the watcher off."""
    assert Settings.from_mapping({}).index_watch_seconds == 5
    assert Settings.from_mapping({"INDEX_WATCH_SECONDS": "0"}).index_watch_seconds == 0


def test_feedback_db_default_and_override(tmp_path: Path):
    """FEEDBACK_DB defaults to var/feedback.sqlite3; a folder instead of a file is refused."""
    assert Settings.from_mapping({}).feedback_db.parts[-2:] == ("var", "feedback.sqlite3")
    chosen = Settings.from_mapping({"FEEDBACK_DB": str(tmp_path / "fb.sqlite3")})
    assert chosen.feedback_db == tmp_path / "fb.sqlite3"
    with pytest.raises(SettingsError, match="FEEDBACK_DB must be a file path"):
        Settings.from_mapping({"FEEDBACK_DB": str(tmp_path)})


def test_onnx_backend_settings():
    """EMBEDDING_BACKEND=onnx is accepted, with ONNX_DIR and ONNX_THREADS passed on."""
    settings = Settings.from_mapping(
        {"EMBEDDING_BACKEND": "ONNX", "ONNX_DIR": "/tmp/o", "ONNX_THREADS": "2"}
    )
    assert settings.engine.embedding_backend == "onnx"
    assert settings.engine.onnx_dir == Path("/tmp/o")
    assert settings.engine.onnx_threads == 2
    assert Settings.from_mapping({}).engine.onnx_dir is None


@pytest.mark.parametrize("value", ["-1", "two", "65"])
def test_bad_onnx_threads(value: str):
    """ONNX_THREADS out of range or not a number is reported by name."""
    with pytest.raises(SettingsError, match="ONNX_THREADS"):
        Settings.from_mapping({"ONNX_THREADS": value})


@pytest.mark.parametrize("value", ["0", "11", "abc", "²", "9" * 5000])
def test_bad_top_k_is_one_line_never_a_crash(value: str) -> None:
    """ "²" is a digit to str.isdigit but not to int(): it used to raise ValueError."""
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping({"TOP_K": value})
    (problem,) = caught.value.problems
    assert problem.startswith("TOP_K must be a whole number from 1 to 10, not ")
    assert len(problem) < 200
