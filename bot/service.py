"""Serving Telegram: start the application, poll or serve the webhook, stop cleanly.

The documented alternative to `Application.run_polling`/`run_webhook` for custom update
sources (python-telegram-bot's "custom webhook" example): initialize, post_init, start, feed
updates, then stop, post_stop, shutdown, post_shutdown. Updates come in through an `Intake`,
which journals them, so a crash or a SIGKILL loses none; SIGTERM lets the ones being handled
finish for a few seconds, and leaves the rest to the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Sequence

from telegram.ext import Application

from bot.errors import bind_error, token_rejected
from bot.intake import Intake
from bot.journal import Journal
from bot.polling import Poller, TokenRejected
from bot.settings import Settings
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0  # on stop, how long the updates being handled may take to finish


async def serve(
    application: Application,
    settings: Settings,
    journal: Journal,
    allowed_updates: Sequence[str],
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT (or until `stop` is set, when given). Raises
    `bot.errors.StartupError` when it cannot serve (the webhook port is taken, Telegram
    rejects the token)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    intake = Intake(application, journal)
    server, poller = None, None
    if settings.webhook_url:  # bind first: a port in use is found before anything else
        server = WebhookServer(intake, settings.webhook_path, settings.webhook_secret or "")
        try:
            server.bind(settings.webhook_listen, settings.webhook_port)
        except OSError as exc:
            raise bind_error(exc, settings.webhook_listen, settings.webhook_port) from None
    try:
        await application.initialize()
    except BaseException:
        if server is not None:
            await server.stop()
        raise
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        await intake.replay()
        if server is not None:
            await application.bot.set_webhook(
                settings.webhook_url or "",
                secret_token=settings.webhook_secret,
                allowed_updates=list(allowed_updates),
            )
            server.start()
            log.info("Serving a webhook at %s", settings.webhook_url)
            await stop.wait()
        else:
            await application.bot.delete_webhook()
            poller = Poller(
                application.bot, intake, allowed_updates=allowed_updates, admins=settings.admins
            )
            log.info("Polling %s for updates", settings.api_base_url)
            try:
                await until(stop, poller.run())
            except TokenRejected as exc:
                raise token_rejected(settings.api_base_url, str(exc)) from None
    finally:
        if server is not None:
            await server.stop()
        if poller is not None:
            await poller.confirm()  # what was fetched is journalled: Telegram may forget it
        await intake.drain(DRAIN_SECONDS)
        if application.running:
            await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def until(stop: asyncio.Event, work: Awaitable[None]) -> None:
    """Run `work` until `stop` is set (then cancel it); its exceptions propagate."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, stopped):
            pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopped
        with contextlib.suppress(asyncio.CancelledError):
            await task  # re-raises what the work raised
