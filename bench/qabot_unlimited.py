"""`qabot run` without its AIORateLimiter, to see the bot's own cost in bench/e2e.py.

Only for the benchmark: Telegram's global limit (about 30 messages a second) is why the real
bot has the limiter. Same settings and environment as `qabot run` otherwise.
"""

from __future__ import annotations

import sys

from telegram.ext import ApplicationBuilder

import bot.app


def main() -> int:
    # The builder ignores the limiter it is given: bot/app.py's classes stay what they are
    # (replacing the class itself broke `isinstance` checks at shutdown).
    ApplicationBuilder.rate_limiter = lambda builder, _limiter: builder
    return bot.app.run_bot()


if __name__ == "__main__":
    sys.exit(main())
