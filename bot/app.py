"""The composition root for Telegram: settings → knowledge base → Application → polling or webhook.

`build_application` builds the application production runs and tests drive (with a fake request
layer); `run_bot` is what `qabot run` calls.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.logging_setup import RedactingFilter, configure_logging
from bot.settings import Settings, SettingsError
from handlers import HANDLERS
from handlers.state import attach, detach
from knowledge import KnowledgeBase, KnowledgeBaseError, ensure_knowledge_base
from knowledge.commands import COMMANDS

log = logging.getLogger(__name__)

# The update types the handlers use; Telegram sends nothing else.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CHANNEL_POST,
    Update.EDITED_CHANNEL_POST,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
# Commands that make sense in a group menu (/start is for private chats).
GROUP_COMMANDS = ("ask", "visits", "search", "sources", "help")
RETRIES_AFTER_FLOOD_WAIT = 3
ADMIN_NOTICE_INTERVAL = 60.0  # seconds between two error notices to the admins
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def command_menus() -> list[tuple[list[BotCommand], BotCommandScope]]:
    """The command menu for private chats, and a shorter one for groups."""
    private = [BotCommand(name, description) for name, description in COMMANDS]
    group = [command for command in private if command.command in GROUP_COMMANDS]
    return [(private, BotCommandScopeAllPrivateChats()), (group, BotCommandScopeAllGroupChats())]


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    request: BaseRequest | None = None,
) -> Application:
    """The bot: defaults, rate limiter, handlers, error handler, start-up and shut-down hooks.

    `request` replaces the HTTP layer for every Bot API call, getUpdates included (tests pass
    a fake). The application owns `kb`: it is closed in post_shutdown.
    """
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines hold the token

    async def post_init(application: Application) -> None:
        attach(application.bot_data, kb)
        for commands, scope in command_menus():
            try:
                await application.bot.set_my_commands(commands, scope=scope)
            except TelegramError as exc:  # a missing menu is no reason not to serve
                log.warning("Could not set the command menu for %s: %s", scope.type, exc)

    async def post_shutdown(application: Application) -> None:
        detach(application.bot_data)
        kb.close()

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=RETRIES_AFTER_FLOOD_WAIT))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    # Order matters inside a group; -1 (gatekeeping) runs before 0 (features).
    for group, handler in HANDLERS:
        application.add_handler(handler, group=group)
    application.add_error_handler(_error_handler(settings.admins))
    return application


ErrorCallback = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _error_handler(admins: frozenset[int]) -> ErrorCallback:
    last_notice = -ADMIN_NOTICE_INTERVAL

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error; apologise in a private chat; tell the admins (at most once a minute)."""
        nonlocal last_notice
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Error while handling update %s", update_id, exc_info=context.error)
        if isinstance(context.error, Forbidden):  # blocked by the user, removed from a group
            return
        message = update.effective_message if isinstance(update, Update) else None
        chats = []
        if message is not None and message.chat.type == ChatType.PRIVATE:
            chats.append((message.chat_id, SORRY))
        if admins and time.monotonic() - last_notice >= ADMIN_NOTICE_INTERVAL:
            last_notice = time.monotonic()
            notice = f"⚠️ {type(context.error).__name__} while handling update {update_id}; "
            notice += "see the logs."
            chats += [(admin, notice) for admin in sorted(admins)]
        for chat_id, text in chats:
            try:
                await context.bot.send_message(chat_id, text)
            except TelegramError as exc:
                log.warning("Could not send an error notice to %s: %s", chat_id, exc)

    return on_error


def run_bot(environ: dict[str, str] | None = None, env_file: Path | None = Path(".env")) -> int:
    """Run the Telegram bot until stopped; returns the process exit code.

    Polling by default, a webhook when WEBHOOK_URL is set. Settings errors print one line on
    stderr and return 2; a knowledge base or Telegram start-up failure returns 1.
    """
    try:
        settings = Settings.from_env(environ, env_file)
    except SettingsError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets)
    try:
        kb = KnowledgeBase.open(ensure_knowledge_base(settings.db_path), read_only=True)
    except KnowledgeBaseError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 1
    application = build_application(settings, kb)
    try:
        if settings.webhook_url:
            log.info("Serving a webhook at %s", settings.webhook_url)
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=settings.webhook_path,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            log.info("Polling %s for updates", settings.api_base_url)
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print(
            "qabot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather", file=sys.stderr
        )
        return 2
    except TelegramError as exc:
        reason = RedactingFilter(settings.secrets).redact(str(exc))
        print(
            f"qabot: cannot reach the Bot API at {settings.api_base_url}: {reason}", file=sys.stderr
        )
        return 1
    return 0
