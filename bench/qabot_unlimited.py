"""`qabot run` without its AIORateLimiter, to see the bot's own cost in bench/e2e.py.

Only for the benchmark: Telegram's global limit (about 30 messages a second) is why the real
bot has the limiter. Same settings and environment as `qabot run` otherwise.
"""

from __future__ import annotations

import sys

import bot.app


def main() -> int:
    # ApplicationBuilder.rate_limiter(None): no limiter, whatever class bot/app.py uses.
    for name in ("AIORateLimiter", "RetryingRateLimiter"):
        if hasattr(bot.app, name):
            setattr(bot.app, name, lambda *_args, **_kwargs: None)
    return bot.app.run_bot()


if __name__ == "__main__":
    sys.exit(main())
