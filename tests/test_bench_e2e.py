"""The end-to-end benchmark's bot runs: each starts from its own update journal."""

import sys
from pathlib import Path

import pytest

from bench import e2e

PRINT_JOURNAL = [sys.executable, "-c", "import os; print(os.environ['QABOT_JOURNAL'])"]


def test_each_bot_run_gets_its_own_journal(tmp_path):
    # Every run's fake server numbers its updates from 1: with the journal.db all runs
    # shared, the second qabot found update 1 done already and never answered the warm-up.
    name = "qabot run without AIORateLimiter"
    with pytest.raises(RuntimeError, match="exited with 0"):
        e2e.load_run(name, PRINT_JOURNAL, {}, 1, 1, ["hello"], tmp_path)
    journal = Path((tmp_path / "qabot_run_without_AIORateLimiter.log").read_text().strip())
    assert journal.parent == tmp_path
    assert journal.name.startswith("qabot_run_without_AIORateLimiter")
