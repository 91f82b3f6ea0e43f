"""The feedback settings: QABOT_FEEDBACK, QABOT_FEEDBACK_DB, QABOT_FEEDBACK_DAYS,
QABOT_GROUP_FEEDBACK, and where the store goes by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_bot_api import TOKEN

from bot.settings import Settings, SettingsError
from knowledge.feedback import default_feedback_path


def settings(**env: str) -> Settings:
    return Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None)


def test_feedback_is_on_for_private_chats_and_kept_90_days_by_default():
    found = settings()
    assert (found.feedback, found.feedback_db, found.feedback_days, found.group_feedback) == (
        True,
        None,
        90,
        False,
    )


def test_feedback_variables_are_read(tmp_path: Path):
    found = settings(
        QABOT_FEEDBACK="OFF",
        QABOT_FEEDBACK_DB=str(tmp_path / "fb.db"),
        QABOT_FEEDBACK_DAYS="30",
        QABOT_GROUP_FEEDBACK="on",
    )
    assert (found.feedback, found.feedback_db, found.feedback_days, found.group_feedback) == (
        False,
        tmp_path / "fb.db",
        30,
        True,
    )
    assert "feedback_days=30" in repr(found)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QABOT_FEEDBACK", "maybe"),
        ("QABOT_GROUP_FEEDBACK", "2"),
        ("QABOT_FEEDBACK_DAYS", "0"),
        ("QABOT_FEEDBACK_DAYS", "ninety"),
        ("QABOT_FEEDBACK_DAYS", "99999"),
    ],
)
def test_a_bad_feedback_value_names_the_variable_in_one_line(variable: str, value: str):
    with pytest.raises(SettingsError) as raised:
        settings(**{variable: value})
    assert str(raised.value).startswith(variable) and "\n" not in str(raised.value)


def test_the_store_goes_next_to_the_knowledge_base_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("QABOT_DB", str(tmp_path / "kb" / "qabot.db"))
    monkeypatch.delenv("QABOT_FEEDBACK_DB", raising=False)
    assert default_feedback_path() == tmp_path / "kb" / "feedback.db"
    monkeypatch.delenv("QABOT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_feedback_path() == tmp_path / "xdg" / "qabot" / "feedback.db"
    monkeypatch.setenv("QABOT_FEEDBACK_DB", str(tmp_path / "elsewhere.db"))
    assert default_feedback_path() == tmp_path / "elsewhere.db"
