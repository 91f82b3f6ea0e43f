"""Who a message is meant for: commands, @mentions and replies (group and channel etiquette)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatID


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


# The users Telegram puts in `from` for a person it hides: an anonymous group admin, and
# whoever posts in a group as a channel. Both have is_bot=true, but a person writes.
STAND_INS = frozenset({ChatID.ANONYMOUS_ADMIN, ChatID.FAKE_CHANNEL})


def from_another_bot(message: Message) -> bool:
    """Whether a bot wrote `message`. An anonymous admin or a post as a channel comes `from`
    a stand-in bot user, with the group or channel as `sender_chat`: a person, not a bot."""
    sender = message.from_user
    if sender is None or not sender.is_bot:
        return False
    return sender.id not in STAND_INS and message.sender_chat is None


def sender_key(message: Message) -> int:
    """Who sent `message`, for the flood limit: the user, or the chat a person hid behind
    (every anonymous admin shares one stand-in user id, in every group)."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    sender = message.from_user
    return message.chat_id if sender is None or sender.id in STAND_INS else sender.id


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
