"""Helpers shared by the benchmarks: questions, variants, timing, percentiles, tables, RSS."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
EVAL_ARTICLES = ROOT / "tests" / "data" / "eval_articles.jsonl"
ARTICLES = ROOT / "tests" / "data" / "articles"
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
VENV_BIN = Path(sys.executable).parent
QABOT = VENV_BIN / "qabot"
LIBRARIES = ("python-telegram-bot", "rapidfuzz", "sqlite-utils", "bm25s")


def out_dir() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


def tmp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=out_dir()))


# -- questions ------------------------------------------------------------------------------


def dev_cases() -> list[dict] | None:
    """The shared dev set, or None when this checkout has no ../shared/eval/dev.jsonl."""
    if not DEV.is_file():
        return None
    return read_jsonl(DEV)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def seed_questions() -> tuple[list[str], str]:
    """The dev questions if the dev file exists, else the built-in bench/questions.txt."""
    cases = dev_cases()
    if cases:
        return [c["q"] for c in cases], f"{DEV.name} ({len(cases)} questions)"
    lines = (BENCH / "questions.txt").read_text("utf-8").splitlines()
    questions = [q.strip() for q in lines if q.strip() and not q.startswith("#")]
    return questions, f"bench/questions.txt ({len(questions)} questions)"


def typo_swap(text: str, rng: random.Random) -> str:
    spots = [i for i in range(len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def typo_drop(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(spots) < 2:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1 :]


def reorder(text: str, rng: random.Random) -> str:
    words = text.rstrip("?").split()
    rng.shuffle(words)
    return " ".join(words)


def variants(questions: Sequence[str], seed: int = 7) -> dict[str, list[str]]:
    """Each question as written, with a swapped letter, with a dropped letter, words shuffled."""
    rng = random.Random(seed)
    return {
        "as written": list(questions),
        "typo: swapped letters": [typo_swap(q, rng) for q in questions],
        "typo: dropped letter": [typo_drop(q, rng) for q in questions],
        "words reordered": [reorder(q, rng) for q in questions],
    }


# -- timing ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


@dataclass
class Stats:
    n: int
    mean: float  # milliseconds
    p50: float
    p99: float
    worst: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Stats:
        ms = [1000 * s for s in seconds]
        return cls(len(ms), sum(ms) / len(ms), percentile(ms, 50), percentile(ms, 99), max(ms))


def time_each(fn: Callable[[str], object], items: Sequence[str], rounds: int = 1) -> list[float]:
    out = []
    clock = time.perf_counter
    for _ in range(rounds):
        for item in items:
            start = clock()
            fn(item)
            out.append(clock() - start)
    return out


# -- processes ------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_mb: float
    stdout: str
    stderr: str
    cpu_seconds: float = float("nan")  # user + system time of that process


def run_measured(
    cmd: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 120.0,
) -> Run:
    """Run a command; wall time, exit code and the peak RSS of exactly that process (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        status, usage = wait4(proc, timeout)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        rss = usage.ru_maxrss / 1024 if usage else float("nan")
        cpu = usage.ru_utime + usage.ru_stime if usage else float("nan")
        return Run(seconds, status, rss, out.read().decode(), err.read().decode(), cpu)


def wait4(proc: subprocess.Popen, timeout: float):
    """Wait for `proc` (killing it after `timeout` s); (exit code, its own rusage)."""
    if proc.returncode is not None:  # already reaped (by poll()): no rusage left to read
        return proc.returncode, None
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        time.sleep(0.002)


HWM_WRAPPER = """
import atexit, os, runpy, sys
def _report():
    with open("/proc/self/status") as fh:
        hwm = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_HWM_FILE"], "w") as out:
        out.write(hwm)
atexit.register(_report)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    exec(sys.argv[1])
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def peak_rss_mb(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """Peak RSS (VmHWM, MB) of a Python command: `python -c ...` or a Python script.

    Read by the process itself at exit: a child's ru_maxrss on Linux starts from the memory
    of the parent that forked it, so wait4 overstates small processes started from a big one.
    """
    python, *rest = cmd
    if Path(python).name.startswith("python"):
        argv = [python, "-c", HWM_WRAPPER, *rest]
    else:  # a console script such as .venv/bin/qabot
        argv = [sys.executable, "-c", HWM_WRAPPER, python, *rest]
    with tempfile.NamedTemporaryFile(dir=out_dir(), suffix=".hwm", delete=False) as fh:
        path = Path(fh.name)
    try:
        result = run_measured(argv, env={**env, "BENCH_HWM_FILE": str(path)}, cwd=cwd)
        if result.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {result.stderr[-300:]}")
        return int(path.read_text() or "0") / 1024
    finally:
        path.unlink(missing_ok=True)


def base_env(**extra: str) -> dict[str, str]:
    """A small environment for subprocesses: PATH plus what is asked (no .env, no token)."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


# -- reporting ------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            if value != value:
                return "–"
            if abs(value) >= 100:
                return f"{value:.0f}"
            if abs(value) >= 10:
                return f"{value:.1f}"
            return f"{value:.2f}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def profile_calls(label: str, fn: Callable[[str], object], items: Sequence[str]) -> Path:
    """Profile `fn` over `items` with pyinstrument; the text report goes to bench/out/."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for item in items:
        fn(item)
    profiler.stop()
    path = out_dir() / f"profile-{label}.txt"
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), "utf-8")
    return path


def top_frames(path: Path, lines: int = 25) -> str:
    """The first lines of a pyinstrument text report, for RESULTS.md."""
    text = path.read_text("utf-8").splitlines()
    body = [line for line in text if line.strip()][:lines]
    return "```text\n" + "\n".join(body) + "\n```"
