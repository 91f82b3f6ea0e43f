"""The documentation keeps up with the bot: commands, settings (sqlite-utils' test_docs style)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.settings import Settings
from handlers import HANDLERS
from handlers.admin import ADMIN_COMMANDS as BASE_ADMIN_COMMANDS
from handlers.curation import CURATION_COMMANDS
from handlers.render import render_help
from knowledge.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
NAMES = [name for name, _ in COMMANDS]
ADMIN_COMMANDS = (*BASE_ADMIN_COMMANDS, *CURATION_COMMANDS)
VARIABLES = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "QABOT_DB",
    "QABOT_ADMINS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "LOG_LEVEL",
    "QABOT_FLOOD_LIMIT",
    "QABOT_FLOOD_WINDOW",
    "QABOT_FEEDBACK",
    "QABOT_FEEDBACK_DB",
    "QABOT_FEEDBACK_DAYS",
    "QABOT_GROUP_FEEDBACK",
    "QABOT_JOURNAL",
]


def test_every_command_has_a_handler_and_every_handler_a_menu_entry():
    registered = {c for _, h in HANDLERS if isinstance(h, CommandHandler) for c in h.commands}
    # the admin commands have handlers but, on purpose, no menu entry and no line in /help
    assert registered == set(NAMES) | set(ADMIN_COMMANDS)
    assert not set(ADMIN_COMMANDS) & set(NAMES)
    assert not any(f"/{name}" in render_help("qabot_test_bot") for name in ADMIN_COMMANDS)


@pytest.mark.parametrize("name", NAMES)
def test_command_is_in_help(name: str):
    assert re.search(rf"^/{name}\b", render_help("qabot_test_bot"), re.MULTILINE)


@pytest.mark.parametrize("name", NAMES + list(ADMIN_COMMANDS))
def test_command_is_documented(name: str):
    assert re.search(rf"`/{name}\b", (ROOT / "README.md").read_text(encoding="utf-8")), (
        f"/{name} is not documented in README.md"
    )


def test_every_setting_is_in_env_example_and_the_docs():
    assert len(VARIABLES) == len(dataclasses.fields(Settings))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in VARIABLES:
        assert re.search(rf"^{variable}=", example, re.MULTILINE), variable
        assert f"`{variable}`" in docs, variable
        # each variable in .env.example has a comment above it
        before = example.split(f"\n{variable}=")[0].rstrip().splitlines()[-1]
        assert before.startswith("#"), variable


def test_env_example_holds_no_secret():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^TELEGRAM_BOT_TOKEN=$", example, re.MULTILINE)
    assert re.search(r"^WEBHOOK_SECRET=$", example, re.MULTILINE)
