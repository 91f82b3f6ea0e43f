PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench eval clean messages catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev,bench]'
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.\+' .env; then \
		$(BIN)/qabot run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN set: talk to @BotFather on Telegram (/newbot) to get one; starting the terminal chat instead."; \
		$(BIN)/qabot chat; \
	fi

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

eval: $(STAMP)
	$(BIN)/qabot eval ../shared/eval/dev.jsonl

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
