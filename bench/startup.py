"""Part 4: start-up to the first answer, cold (no database yet) and warm, with peak RSS.

Each run is `.venv/bin/qabot ask "When did Putin visit Algiers?"` as a subprocess with a
minimal environment (HOME and QABOT_DB in a temp dir, no .env). Baselines in the same run:
`python -c pass` and `python -c "import telegram"`.
"""

from __future__ import annotations

import statistics
import sys

from . import common

QUESTION = "When did Putin visit Algiers?"
TARGET_COLD_S = 1.5
TARGET_WARM_S = 0.8


def run(quick: bool = False) -> tuple[str, list[tuple]]:
    repeats = 3 if quick else 7
    work = common.tmp_dir("startup")
    env = common.base_env(HOME=str(work))
    python = sys.executable
    commands = {
        "python -c pass": ([python, "-c", "pass"], None),
        'python -c "import telegram"': ([python, "-c", "import telegram"], None),
        "qabot ask, cold (no database yet)": ([str(common.QABOT), "ask", QUESTION], "cold"),
        "qabot ask, warm (database exists)": ([str(common.QABOT), "ask", QUESTION], "warm"),
    }
    warm_db = work / "warm" / "qabot.db"
    # One untimed run of each first: compiled bytecode and the page cache as in real use.
    for name, (cmd, mode) in commands.items():
        db = warm_db if mode == "warm" else work / "first" / f"{len(name)}.db"
        common.run_measured(cmd, env={**env, "QABOT_DB": str(db)}, cwd=work)
    runs: dict[str, list[common.Run]] = {name: [] for name in commands}
    for i in range(repeats):
        for name, (cmd, mode) in commands.items():
            db = work / f"cold-{i}" / "qabot.db" if mode == "cold" else warm_db
            result = common.run_measured(cmd, env={**env, "QABOT_DB": str(db)}, cwd=work)
            if result.returncode != 0 or (mode and "10 March 2006" not in result.stdout):
                raise RuntimeError(f"{name} failed ({result.returncode}): {result.stderr[-500:]}")
            runs[name].append(result)
    base = statistics.median(r.seconds for r in runs["python -c pass"])
    tele = statistics.median(r.seconds for r in runs['python -c "import telegram"'])
    rows, medians = [], {}
    for name, results in runs.items():
        secs = [r.seconds for r in results]
        med = statistics.median(secs)
        medians[name] = med
        cmd, mode = commands[name]
        db = work / "rss-cold" / "qabot.db" if mode == "cold" else warm_db
        rss = common.peak_rss_mb(cmd, {**env, "QABOT_DB": str(db)}, cwd=work)
        rows.append(
            [
                name,
                len(secs),
                1000 * med,
                1000 * min(secs),
                1000 * max(secs),
                med / base,
                med / tele,
                rss,
            ]
        )
    cold = medians["qabot ask, cold (no database yet)"]
    warm = medians["qabot ask, warm (database exists)"]
    profile = common.out_dir() / "profile-startup-warm.txt"
    prof = common.run_measured(
        [
            python,
            "-m",
            "pyinstrument",
            "-o",
            str(profile),
            "-r",
            "text",
            str(common.QABOT),
            "ask",
            QUESTION,
        ],
        env={**env, "QABOT_DB": str(warm_db)},
        cwd=work,
    )
    md = [
        "## 4. Start-up and memory",
        "",
        f"Wall time from spawning the process to its exit after printing the answer (median of "
        f"{repeats}, after one untimed run of each), and the peak RSS of that process (VmHWM, "
        "read at exit in one more run of each, through a small wrapper that runs the same "
        "script). "
        "Cold: a fresh QABOT_DB path, so the run builds the seed knowledge base first.",
        "",
        common.table(
            [
                "command",
                "runs",
                "median ms",
                "min ms",
                "max ms",
                "÷ python -c pass",
                "÷ import telegram",
                "peak RSS MB",
            ],
            rows,
        ),
        "",
        f"Targets: cold ≤ {TARGET_COLD_S} s: {common.ok(cold <= TARGET_COLD_S)} ({cold:.2f} s); "
        f"warm ≤ {TARGET_WARM_S} s: {common.ok(warm <= TARGET_WARM_S)} ({warm:.2f} s).",
    ]
    if prof.returncode == 0 and profile.exists():
        md += [
            "",
            f"Where a warm start goes (pyinstrument, `bench/out/{profile.name}`):",
            "",
            common.top_frames(profile, 30),
        ]
    targets = [
        (
            "cold start to first answer",
            f"{cold:.2f} s",
            f"≤ {TARGET_COLD_S} s",
            cold <= TARGET_COLD_S,
        ),
        (
            "warm start to first answer",
            f"{warm:.2f} s",
            f"≤ {TARGET_WARM_S} s",
            warm <= TARGET_WARM_S,
        ),
    ]
    return "\n".join(md), targets
