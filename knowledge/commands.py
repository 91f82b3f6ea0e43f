"""The commands qabot understands, shared by the Telegram menus, /help and `qabot chat`."""

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and example questions"),
    ("help", "What I can do and how to ask"),
    ("ask", "Ask a question: /ask When did Putin visit Algiers?"),
    ("visits", "List high-level visits: /visits 2000-2010, /visits 1960s, /visits putin"),
    ("search", "Show the facts that best match some words: /search loan"),
    ("sources", "The articles I know, with their sections"),
    ("privacy", "What I keep about your questions, and for how long"),
)
