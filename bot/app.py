"""The composition root for Telegram: settings → knowledge base → Application → polling or webhook.

`build_application` builds the application production runs and tests drive (with a fake request
layer); `run_bot` is what `qabot run` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram._utils.types import JSONDict
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.concurrency import PerChatUpdateProcessor
from bot.errors import StartupError
from bot.i18n import LANGUAGES, N_, translator
from bot.journal import Journal, JournalError, default_journal_path
from bot.logging_setup import RedactingFilter, configure_logging
from bot.phrases import shorten
from bot.sending import may_have_arrived, query_too_old, repeats_harm
from bot.service import serve
from bot.settings import Settings, SettingsError
from handlers import HANDLERS
from handlers.feedback import start_feedback, stop_feedback
from handlers.state import STATE_KEY, BotState, FloodLimiter, attach, detach
from knowledge import KnowledgeBase, KnowledgeBaseError, ensure_knowledge_base
from knowledge.commands import COMMANDS
from knowledge.feedback import default_feedback_path
from knowledge.store import stale_notice

log = logging.getLogger(__name__)

# The update types the handlers use; Telegram sends nothing else.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CHANNEL_POST,
    Update.EDITED_CHANNEL_POST,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,  # added to a group: greet
]
# Commands that make sense in a group menu (/start is for private chats).
GROUP_COMMANDS = ("ask", "visits", "search", "sources", "help")
RETRIES_AFTER_FLOOD_WAIT = 3
# Waits before each new attempt of a Bot API call that failed on the network (5xx, timeout,
# dropped connection): bounded, so a dead API cannot make a retry storm. 400, 403 and 401
# are never retried.
SEND_RETRY_DELAYS = (0.5, 1.0, 2.0)
# A 429 asking to wait longer than this is given up (logged), not waited out: a reply that
# late is worth less than a bot that stops promptly when asked to.
MAX_FLOOD_WAIT = 30.0
PAUSES_KEPT = 1000  # chats whose 429 pause is remembered before those that are over go
ADMIN_NOTICE_INTERVAL = 60.0  # seconds between two error notices to the admins
SORRY = N_("Sorry, something went wrong on my side. Please try again in a moment.")
DESCRIPTION_LIMIT = 512  # characters Telegram keeps of a bot's description
SHORT_DESCRIPTION_LIMIT = 120
TOPICS_SHOWN = 3


def command_menus(lang: str = "en") -> list[tuple[list[BotCommand], BotCommandScope]]:
    """The command menu for private chats, and a shorter one for groups, in `lang`."""
    t = translator(lang)
    private = [BotCommand(name, t.gettext(description)) for name, description in COMMANDS]
    group = [command for command in private if command.command in GROUP_COMMANDS]
    return [(private, BotCommandScopeAllPrivateChats()), (group, BotCommandScopeAllGroupChats())]


def topics(titles: list[str], lang: str) -> str:
    """The articles loaded, for a description: 'A, B, C and 4 more'."""
    t = translator(lang)
    shown = ", ".join(titles[:TOPICS_SHOWN])
    if len(titles) > TOPICS_SHOWN:
        more = len(titles) - TOPICS_SHOWN
        shown = t.ngettext("{titles} and {n} more", "{titles} and {n} more", more).format(
            titles=shown, n=more
        )
    return shown


def descriptions(titles: list[str], lang: str) -> tuple[str, str]:
    """The bot's description (shown before /start) and short description (its profile),
    naming the articles loaded (`titles`)."""
    t = translator(lang)
    about = topics(titles, lang)
    description = t.gettext(
        "I answer questions about {topics}. I quote the article and link the section I "
        "quote, or say that I don't know. Ask in any of English, Russian, French, Arabic, "
        "Spanish or German."
    ).format(topics=about)
    short = t.gettext("Questions about {topics}, answered with quotes and sources.").format(
        topics=about
    )
    return shorten(description, DESCRIPTION_LIMIT), shorten(short, SHORT_DESCRIPTION_LIMIT)


async def set_up_profile(bot: Bot, kb: KnowledgeBase) -> None:
    """Command menus and descriptions for every language (English is the default)."""
    titles = [a.title for a in await asyncio.to_thread(kb.articles)]
    for lang in LANGUAGES:
        code = None if lang == "en" else lang
        description, short = descriptions(titles, lang)
        try:
            for commands, scope in command_menus(lang):
                await bot.set_my_commands(commands, scope, code)
            await bot.set_my_description(description, code)
            await bot.set_my_short_description(short, code)
        except TelegramError as exc:  # a missing menu is no reason not to serve
            log.warning("Could not set the command menus or descriptions (%s): %s", lang, exc)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (Telegram's flood limits) with waits that hold up one chat only, and
    bounded retries after network errors.

    A 429 pauses the chat it came from (AIORateLimiter pauses every chat); a pause longer
    than `max_flood_wait` is not waited out but given up, and `stop_waiting` (at shut-down)
    ends every pause at once. A call that failed on the network (5xx, connection refused)
    is tried again after `delays`, unless it sends a message and the request may have
    reached Telegram (a timeout, a dropped connection): that message may be in the chat
    already, and a second try would double it.
    """

    def __init__(
        self,
        delays: tuple[float, ...] = SEND_RETRY_DELAYS,
        max_flood_wait: float = MAX_FLOOD_WAIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.delays = tuple(delays)
        self.max_flood_wait = max_flood_wait
        self._paused: dict[object, float] = {}  # chat → monotonic time its pause ends
        self._stopping = asyncio.Event()

    def stop_waiting(self) -> None:
        """Shutting down: end every 429 pause now; the calls waiting give up."""
        self._stopping.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group = (
            chat_id
            if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
            else False
        )
        flood_tries = rate_limit_args or self._max_retries
        failures = 0
        while True:
            await self._wait_out_pause(chat_id)
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=group,
                    allow_paid_broadcast=data.get("allow_paid_broadcast", False),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                wait = exc._retry_after.total_seconds() + 0.1  # noqa: SLF001 - as PTB does
                if flood_tries <= 0 or wait > self.max_flood_wait or self._stopping.is_set():
                    log.warning(
                        "%s to chat %s: flood wait of %.0fs, giving up", endpoint, chat_id, wait
                    )
                    raise
                flood_tries -= 1
                log.info("%s to chat %s: flood wait of %.1fs", endpoint, chat_id, wait)
                self._pause(chat_id, wait)
            except BadRequest:
                raise
            except NetworkError as exc:  # TimedOut included
                if failures >= len(self.delays) or (
                    repeats_harm(endpoint) and may_have_arrived(exc)
                ):
                    raise
                delay = self.delays[failures]
                failures += 1
                log.warning(
                    "%s failed (%s); attempt %d of %d in %.1fs",
                    endpoint,
                    exc,
                    failures + 1,
                    len(self.delays) + 1,
                    delay,
                )
                await asyncio.sleep(delay)

    def _pause(self, chat_id: object, seconds: float) -> None:
        now = time.monotonic()
        if len(self._paused) > PAUSES_KEPT:  # forget pauses that are over
            self._paused = {k: t for k, t in self._paused.items() if t > now}
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), now + seconds)

    async def _wait_out_pause(self, chat_id: object) -> None:
        """Wait until `chat_id`'s pause is over (or shut-down begins)."""
        until = self._paused.get(chat_id)
        if until is None:
            return
        left = until - time.monotonic()
        if left <= 0 or self._stopping.is_set():
            self._paused.pop(chat_id, None)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), left)


class QaApplication(Application):
    """The Application, told that shut-down began before it waits for updates in flight:
    a reply waiting out a long 429 pause must not hold up the exit."""

    async def stop(self) -> None:
        limiter = self.bot.rate_limiter
        if isinstance(limiter, RetryingRateLimiter):
            limiter.stop_waiting()
        await super().stop()


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

    # Held here only until post_init hands it to bot_data: after a /reload nothing else may
    # keep the first base alive, or its memory is never given back.
    starting = {"kb": kb}

    async def post_init(application: Application) -> None:
        flood = FloodLimiter(settings.flood_limit, settings.flood_window)
        kb = starting.pop("kb")
        attach(application.bot_data, kb, admins=settings.admins, flood=flood)
        await start_feedback(
            application,
            enabled=settings.feedback,
            path=settings.feedback_db or default_feedback_path(),
            days=settings.feedback_days,
            group_buttons=settings.group_feedback,
        )
        await set_up_profile(application.bot, kb)

    async def post_shutdown(application: Application) -> None:
        await stop_feedback(application)
        shared = detach(application.bot_data)  # closes the bases /reload retired
        if shared is not None:
            shared.kb.close()
        if "kb" in starting:  # never started
            starting.pop("kb").close()

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,  # the question was deleted: answer anyway
            )
        )
        .concurrent_updates(PerChatUpdateProcessor())
        .application_class(QaApplication)
        .rate_limiter(RetryingRateLimiter(SEND_RETRY_DELAYS, max_retries=RETRIES_AFTER_FLOOD_WAIT))
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
        error = context.error
        if isinstance(error, Forbidden):  # blocked by the user, removed from a group
            log.warning("Update %s: Telegram refused the reply: %s", update_id, error)
            return  # nobody to tell, and no point trying again
        if isinstance(error, BadRequest) and query_too_old(error):  # a late button press
            log.info("Update %s: answered too late: %s", update_id, error)
            return
        log.error("Error while handling update %s", update_id, exc_info=error)
        message = update.effective_message if isinstance(update, Update) else None
        chats = []
        if (
            message is not None
            and message.chat.type == ChatType.PRIVATE
            and not _may_be_answered(update, context)
        ):
            user = update.effective_user if isinstance(update, Update) else None
            sorry = translator(user.language_code if user else None).gettext(SORRY)
            chats.append((message.chat_id, sorry))
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


def _may_be_answered(update: object, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Did (or may) the reply to `update` go out? Then an apology would be wrong: the
    error came after the answer, or from a send that may have reached Telegram."""
    error = context.error
    if isinstance(error, NetworkError) and may_have_arrived(error):
        return True
    message = update.effective_message if isinstance(update, Update) else None
    shared = context.bot_data.get(STATE_KEY)
    if message is None or not isinstance(shared, BotState):
        return False
    return (message.chat_id, message.message_id) in shared.replies


def open_knowledge_base(db_path: Path | None) -> KnowledgeBase:
    """The knowledge base the bot serves, opened read-only.

    An explicit QABOT_DB must already be a good knowledge base: a missing, corrupt or
    old-schema file is a KnowledgeBaseError, never silently rebuilt. With no QABOT_DB the
    default base is built from the seed article when there is none, and rebuilt when
    another build of qabot made it; an explicit one that another build made is served, with
    a warning in the log.
    """
    path = db_path if db_path is not None else ensure_knowledge_base(None)
    kb = KnowledgeBase.open(path, read_only=True)
    notice = stale_notice(path)
    if notice:
        log.warning(notice)
    return kb


def run_bot(environ: dict[str, str] | None = None, env_file: Path | None = Path(".env")) -> int:
    """Run the Telegram bot until stopped; returns the process exit code.

    Polling by default, a webhook when WEBHOOK_URL is set (bot/service.py). Settings errors
    and a token Telegram rejects print one line on stderr and return 2; a knowledge base,
    journal or Telegram start-up failure returns 1.
    """
    try:
        settings = Settings.from_env(environ, env_file)
    except SettingsError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets)
    try:
        kb = open_knowledge_base(settings.db_path)
    except KnowledgeBaseError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 1
    try:
        journal = Journal.open(journal_path(settings))
    except JournalError as exc:
        kb.close()
        print(f"qabot: {exc}", file=sys.stderr)
        return 1
    application = build_application(settings, kb)
    try:
        asyncio.run(serve(application, settings, journal, ALLOWED_UPDATES))
    except StartupError as exc:
        print(f"qabot: {RedactingFilter(settings.secrets).redact(str(exc))}", file=sys.stderr)
        return exc.code
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
    finally:
        journal.close()
    return 0


def journal_path(settings: Settings) -> Path:
    """QABOT_JOURNAL, else journal.db next to the feedback store."""
    if settings.journal is not None:
        return settings.journal
    return default_journal_path(settings.feedback_db or default_feedback_path())
