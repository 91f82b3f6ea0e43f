"""Telegram handlers: thin adapters from updates to `knowledge` and back.

`HANDLERS` is the one registration list; `bot.app.build_application` registers it. Groups:
-1 gatekeeping (runs first, may stop an update), 0 features (the first matching handler in a
group wins, so the order inside group 0 matters).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.admin import ADMIN_CALLBACKS
from handlers.buttons import CALLBACK_PATTERN, button, stale_button
from handlers.chat import added_to_group, channel_post, free_text, not_text, unknown_command
from handlers.commands import COMMAND_CALLBACKS
from handlers.curation import CURATION_CALLBACKS, privacy
from handlers.curation import HANDLERS as CURATION_BUTTONS
from handlers.feedback import HANDLERS as FEEDBACK_BUTTONS
from handlers.gate import gatekeeper
from handlers.inline import inline_query

GATEKEEPING = -1
FEATURES = 0

_PRIVATE = filters.ChatType.PRIVATE
_CHATS = filters.ChatType.PRIVATE | filters.ChatType.GROUPS

HANDLERS: list[tuple[int, BaseHandler]] = [
    (GATEKEEPING, TypeHandler(Update, gatekeeper)),
    # Commands (messages and edited messages in private chats and groups)
    *((FEATURES, CommandHandler(name, callback)) for name, callback in COMMAND_CALLBACKS.items()),
    # Admin commands (QABOT_ADMINS, private chats); in no menu. Others get "unknown command".
    *((FEATURES, CommandHandler(name, callback)) for name, callback in ADMIN_CALLBACKS.items()),
    *((FEATURES, CommandHandler(name, callback)) for name, callback in CURATION_CALLBACKS.items()),
    (FEATURES, CommandHandler("privacy", privacy)),
    # CommandHandler does not see channel posts: commands and mentions in channels
    (FEATURES, MessageHandler(filters.UpdateType.CHANNEL_POSTS & filters.TEXT, channel_post)),
    (FEATURES, MessageHandler(_CHATS & filters.TEXT & ~filters.COMMAND, free_text)),
    (FEATURES, MessageHandler(_CHATS & filters.CAPTION & ~filters.COMMAND, free_text)),
    (FEATURES, MessageHandler(_PRIVATE & filters.COMMAND, unknown_command)),
    (FEATURES, MessageHandler(_PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT, not_text)),
    (FEATURES, CallbackQueryHandler(button, pattern=CALLBACK_PATTERN)),
    *((FEATURES, handler) for handler in (*FEEDBACK_BUTTONS, *CURATION_BUTTONS)),  # 👍/👎, /teach
    (FEATURES, CallbackQueryHandler(stale_button)),  # data this version never sent
    (FEATURES, InlineQueryHandler(inline_query)),
    (FEATURES, ChatMemberHandler(added_to_group, ChatMemberHandler.MY_CHAT_MEMBER)),
]

__all__ = ["FEATURES", "GATEKEEPING", "HANDLERS"]
