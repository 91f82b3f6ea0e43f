"""Issue 11, the command line and set-up: one-line errors, `qabot chat` with line editing,
`qabot ask` on a terminal, quiet network failures, and what `make run` installs."""

from __future__ import annotations

import logging
import os
import re
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from telegram.error import NetworkError
from telegram_fakes import ScriptedKnowledgeBase

from bot.cli import main
from bot.logging_setup import NetworkTracebacksAtDebug
from bot.textui import reply as chat_reply
from knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
QABOT = Path(sys.executable).with_name("qabot")
PUTIN = "When did Putin visit Algiers?"
needs_script = pytest.mark.skipif(not QABOT.exists(), reason="the qabot script is not installed")


# -- one-line errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file or directory"),
        ('{"q": "x", "kind": "en"}\nnot json\n', "line 2 is not JSON (Expecting value)"),
        ('["a list"]\n', "line 1 is not a case with 'q' and 'kind'"),
    ],
)
def test_eval_errors_are_one_line(tmp_path: Path, seed_db: Path, capsys, content, reason):
    path = tmp_path / "cases.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["eval", "--db", str(seed_db), str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"qabot: cannot read the evaluation file {path}: {reason}\n"


def test_make_eval_without_the_shared_set_is_one_line():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\neval:", 1)[1].split("\n\n", 1)[0]
    assert "[ ! -f $(EVAL_FILE) ]" in recipe and "exit 1" in recipe


def test_an_unexpected_error_is_one_line(monkeypatch, capsys, seed_db: Path):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("bot.cli.cmd_visits", broken)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert main(["visits", "--db", str(seed_db)]) == 1
    err = capsys.readouterr().err
    assert err == "qabot: RuntimeError: disk on fire (LOG_LEVEL=DEBUG shows where)\n"
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    with pytest.raises(RuntimeError):
        main(["visits", "--db", str(seed_db)])


def test_network_tracebacks_only_at_debug():
    record = logging.LogRecord(
        "telegram.ext",
        logging.ERROR,
        __file__,
        1,
        "Polling failed",
        (),
        (NetworkError, NetworkError("connect failed"), None),
    )
    assert NetworkTracebacksAtDebug().filter(record)
    assert record.exc_info is None and record.getMessage() == "Polling failed: connect failed"
    bootstrap = logging.LogRecord(
        "telegram.ext",
        logging.ERROR,
        __file__,
        1,
        "Network Retry Loop (Bootstrap Initialize Application): Failed run number 0 of 0.",
        (),
        (NetworkError, NetworkError("connect failed"), None),
    )
    assert not NetworkTracebacksAtDebug().filter(bootstrap)  # qabot run says it in one line
    other = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "boom", (), (ValueError, ValueError("x"), None)
    )
    assert NetworkTracebacksAtDebug().filter(other) and other.exc_info is not None


@needs_script
def test_run_with_an_unreachable_api_prints_no_traceback(tmp_path: Path):
    with socket_closed_port() as port:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "TELEGRAM_BOT_TOKEN": "123456789:AAtest-token_for_the_fake_bot_api_00000",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
        }
        result = subprocess.run(
            [str(QABOT), "run"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"qabot: cannot reach the Bot API at http://127.0.0.1:{port}: ")
    assert len(result.stderr.strip().splitlines()) <= 5  # the one line, and the retries


class socket_closed_port:  # noqa: N801 - used like a function
    """A local port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        pass


# -- qabot chat and qabot ask on a terminal ---------------------------------------------------


def test_chat_start_welcomes_instead_of_the_help(kb: KnowledgeBase):
    text = chat_reply(kb, "/start")
    assert text.startswith("Hello! I answer questions about encyclopedia articles")
    assert "Try asking:\n  • Who is the" in text
    assert chat_reply(kb, "/help").startswith("Ask me anything about the articles")


def test_chat_shows_did_you_mean_alternatives(kb: KnowledgeBase, seed_db: Path):
    expected = kb.ask("arms").alternatives
    scripted = ScriptedKnowledgeBase(KnowledgeBase.open(seed_db), {"arms": {"confidence": 0.6}})
    text = chat_reply(scripted, "arms")  # type: ignore[arg-type]
    assert "\nDid you mean:\n  1. " + expected[0].text in text


def test_chat_visits_filters_say_what_they_did(kb: KnowledgeBase):
    assert chat_reply(kb, "/visits 3000") == "No visits in 3000."
    assert chat_reply(kb, "/visits 0").startswith("“0” cannot be a year. Filter by a year")


def _terminal(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(QABOT), *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    return proc, master


def _read_until(master: int, token: bytes, seen: bytearray, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    start = len(seen)
    while token not in seen[start:]:
        left = deadline - time.monotonic()
        assert left > 0, f"no {token!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk


@needs_script
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_chat_has_line_editing_and_history(tmp_path: Path, seed_db: Path):
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "QABOT_DB": str(seed_db),
        "TERM": "xterm",
    }
    proc, master = _terminal(["chat"], env)
    seen = bytearray()
    try:
        _read_until(master, b"> ", seen)
        os.write(master, PUTIN.encode() + b"\r")
        _read_until(master, b"> ", seen)
        os.write(master, b"\x1b[A\r")  # up arrow: the last question again
        _read_until(master, b"> ", seen)
        os.write(master, b"\x04")  # Ctrl-D
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    output = bytes(seen).decode(errors="replace")
    assert "^[[A" not in output
    assert output.count("10 March 2006") == 2
    history = (tmp_path / "data" / "qabot" / "chat_history").read_text()
    assert PUTIN in history


@needs_script
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ask_on_a_terminal_says_it_reads_stdin(tmp_path: Path, seed_db: Path):
    env = {**os.environ, "QABOT_DB": str(seed_db)}
    proc, master = _terminal(["ask"], env)
    seen = bytearray()
    try:
        _read_until(master, b"Ctrl-D", seen)
        os.write(master, PUTIN.encode() + b"\r")
        _read_until(master, b"2006", seen)
        os.write(master, b"\x04")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    output = bytes(seen).decode(errors="replace")
    assert "reading questions from stdin, one per line" in output
    assert proc.returncode == 0


def test_ask_from_a_pipe_says_nothing_extra(seed_db: Path):
    if not QABOT.exists():
        pytest.skip("the qabot script is not installed")
    result = subprocess.run(
        [str(QABOT), "ask", "--db", str(seed_db)],
        input=PUTIN + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stderr == "" and "10 March 2006" in result.stdout


# -- set-up ---------------------------------------------------------------------------------


def test_make_run_installs_only_what_running_needs():
    makefile = (ROOT / "Makefile").read_text()
    run_rule = re.search(r"^run: (.*)$", makefile, re.MULTILINE).group(1)
    assert run_rule.strip() == "$(RUN_STAMP)"
    recipe = makefile.split("\n$(RUN_STAMP):", 1)[1].split("\n\n", 1)[0]
    # a regular install without the [dev,bench] extras and without pip chatter; the
    # editable install (which makes setuptools warn) only for make test
    assert "$(PIP) install -q . &&" in recipe and "-e" not in recipe and "[dev" not in recipe
    for target in ("test", "lint", "bench"):
        assert re.search(rf"^{target}: \$\(STAMP\)$", makefile, re.MULTILINE)


def test_packaging_has_nothing_setuptools_warns_about():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(config["project"]["license"], str)  # not the deprecated table
    find = config["tool"]["setuptools"]["packages"]["find"]
    assert find["namespaces"] is True  # the data folders are packages, not warnings
    data = config["tool"]["setuptools"]["package-data"]
    for folder in ("knowledge.data", "knowledge.data.lexicon", "bot.locale.ru.LC_MESSAGES"):
        assert folder in data
