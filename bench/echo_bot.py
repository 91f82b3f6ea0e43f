"""A minimal python-telegram-bot echo bot: the end-to-end baseline for bench/e2e.py.

    python -m bench.echo_bot [--rate-limiter]     # TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL

Polling, like `qabot run`; replies to every text message with its text. With --rate-limiter
it uses the same AIORateLimiter settings as qabot (bot/app.py), for a like-for-like run.
"""

from __future__ import annotations

import argparse
import os
import sys

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate-limiter", action="store_true")
    args = parser.parse_args(argv)
    base = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    builder = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{base}/bot")
    if args.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])
    return 0


if __name__ == "__main__":
    sys.exit(main())
