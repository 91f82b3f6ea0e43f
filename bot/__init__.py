"""Settings, application wiring and the command-line entry point."""

import os

# python-telegram-bot 22 returns time spans (such as a flood wait's retry_after) as
# timedelta when this is set, and warns on every 429 when it is not.
os.environ.setdefault("PTB_TIMEDELTA", "1")
