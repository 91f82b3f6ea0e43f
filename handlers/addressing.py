"""Who a message is meant for: commands, @mentions and replies (group and channel etiquette)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Bot, Message, MessageEntity


@dataclass(frozen=True)
class Command:
    """`/name@target argument` at the start of a message."""

    name: str
    target: str  # the bot username after @, or "" for a bare command
    argument: str


def command_of(message: Message) -> Command | None:
    """The command a message starts with, if any."""
    for entity, value in message.parse_entities([MessageEntity.BOT_COMMAND]).items():
        if entity.offset == 0:
            name, _, target = value[1:].partition("@")
            argument = (message.text or "")[len(value) :].strip()
            return Command(name.lower(), target, argument)
    return None


def command_argument(message: Message) -> str:
    """The text after the command (`/ask  When…?` → `When…?`), spacing inside kept."""
    command = command_of(message)
    return command.argument if command else (message.text or "").strip()


def mentions(message: Message, username: str) -> bool:
    """Whether the message @mentions `username`."""
    wanted = f"@{username}".lower()
    found = message.parse_entities([MessageEntity.MENTION])
    found |= message.parse_caption_entities([MessageEntity.MENTION])  # a photo's caption
    return any(value.lower() == wanted for value in found.values())


def is_addressed(message: Message, bot: Bot) -> bool:
    """Whether a group or channel message is meant for this bot.

    It is when it starts with one of its commands (bare `/ask` goes to every bot in the group;
    `/ask@otherbot` does not), @mentions it, or replies to one of its messages.
    """
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot.id:
        return True
    command = command_of(message)
    if command and (not command.target or command.target.lower() == bot.username.lower()):
        return True
    return mentions(message, bot.username)


def strip_mention(text: str, username: str) -> str:
    """The question without the bot's @mention: `@qabot When…?` → `When…?`."""
    pattern = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split()).lstrip(",:;").strip()
