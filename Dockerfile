# qabot: the Telegram bot, with the seed knowledge base built into the image.
#   docker build -t qabot .
#   docker run -d --name qabot --restart unless-stopped -e TELEGRAM_BOT_TOKEN qabot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    QABOT_DB=/app/data/qabot.db

# The runtime dependencies, read from pyproject.toml: a layer that survives code changes.
WORKDIR /tmp/src
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt

# The code, then the knowledge base built from the seed article (read-only at run time).
COPY README.md ./
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY bot ./bot
RUN pip install --no-deps . \
 && qabot ingest --db "$QABOT_DB" knowledge/data/*.txt \
 && chmod a+r "$QABOT_DB" \
 && rm -rf /tmp/src

# No root at run time. The token comes only from the environment (-e / --env-file).
RUN useradd --system --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin qabot \
 && mkdir -p /app/state && chown 10001 /app/state
WORKDIR /app
USER 10001

# Webhook mode only (WEBHOOK_URL set); polling needs no open port. Outside a container the
# server binds 127.0.0.1; in one it must bind every interface to be reached through -p.
ENV WEBHOOK_LISTEN=0.0.0.0
EXPOSE 8443
# The feedback store (questions, votes, taught questions) and the journal of updates not yet
# handled must be writable: mount a volume on /app/state to keep them across containers.
ENV QABOT_FEEDBACK_DB=/app/state/feedback.db \
    QABOT_JOURNAL=/app/state/journal.db
# Healthy while the knowledge base opens and passes its schema check.
HEALTHCHECK --interval=60s --timeout=10s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os; from knowledge import KnowledgeBase; KnowledgeBase.open(os.environ['QABOT_DB']).close()"]

CMD ["qabot", "run"]
