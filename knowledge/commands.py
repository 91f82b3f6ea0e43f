"""The commands qabot understands, shared by the Telegram menus, /help and `qabot chat`.

The descriptions are English message ids, translated where they are shown
(`bot/i18n.py`); `N_` only marks them for `make messages`.
"""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message


COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Welcome and example questions")),
    ("help", N_("What I can do and how to ask")),
    ("ask", N_("Ask a question about the articles")),
    ("visits", N_("List high-level visits by year, decade, person or place")),
    ("search", N_("Show the facts that best match some words")),
    ("sources", N_("The articles I know, with their sections")),
    ("privacy", N_("What I keep about your questions, and for how long")),
)
