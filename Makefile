PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench eval clean vectors train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev,train,bench]'
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

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Vectors shipped with the seed and with the test articles, so neither is embedded again.
vectors: $(STAMP)
	$(BIN)/python -c "from knowledge.vectors import main; main()"

# Refit the ranker and the confidence calibrator (needs ../shared for the public sets).
train: $(STAMP)
	$(BIN)/python -m knowledge.train
