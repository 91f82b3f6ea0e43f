PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test lint bench soak eval clean messages catalogs vectors train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# `make run` installs what running needs, as a regular install (an editable one makes
# setuptools warn), again whenever a source file changes. `make test`, `lint` and `bench`
# install in editable mode with the dev and bench extras; `make run` then uses that.
SOURCES := $(shell find knowledge handlers bot -type f -not -path '*/__pycache__/*')
$(RUN_STAMP): pyproject.toml $(SOURCES) | $(BIN)/python
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then \
		touch $(RUN_STAMP); \
	else \
		echo "Installing qabot into $(VENV)"; \
		$(PIP) install -q . && touch $(RUN_STAMP); \
	fi

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -q -e '.[dev,train,bench]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.\+' .env; then \
		$(BIN)/qabot run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN set: talk to @BotFather on Telegram (/newbot) to get one; starting the terminal chat instead."; \
		$(BIN)/qabot chat; \
	fi

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `make bench BENCH_ARGS="--quick"` or `BENCH_ARGS="--only engine,ablation"` (updates those sections).
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# The bot under sustained and hostile load (about 10 minutes; SOAK_ARGS=--quick: about one):
# /help latency under floods, slow questions and a 429, SIGKILLs, reloads, adversarial
# articles. Not part of `make test`; writes the Soak section of bench/RESULTS.md.
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

EVAL_FILE := ../shared/eval/dev.jsonl
eval: $(RUN_STAMP)
	@if [ ! -f $(EVAL_FILE) ]; then \
		echo "make eval: $(EVAL_FILE) is not here (the shared evaluation set); try: $(BIN)/qabot eval FILE.jsonl"; \
		exit 1; \
	fi
	$(BIN)/qabot eval $(EVAL_FILE)

# Translations (bot/i18n.py says how to add a string): extract and merge, then compile.
LOCALE := bot/locale
messages: $(STAMP)
	$(BIN)/pybabel extract --project=qabot --no-wrap --no-location --sort-output -k N_ \
		-o $(LOCALE)/qabot.pot bot handlers knowledge/commands.py
	$(BIN)/pybabel update --no-wrap -D qabot -i $(LOCALE)/qabot.pot -d $(LOCALE)

catalogs: $(STAMP)
	$(BIN)/pybabel compile --statistics -D qabot -d $(LOCALE)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Vectors shipped with the seed and with the test articles, so neither is embedded again.
vectors: $(STAMP)
	$(BIN)/python -c "from knowledge.vectors import main; main()"

# Refit the ranker and the confidence calibrator (needs ../shared for the public sets).
train: $(STAMP)
	$(BIN)/python -m knowledge.train
