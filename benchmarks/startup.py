"""How long the command line takes to start: ``marsad --help`` and ``marsad extract FILE``.

    .venv/bin/python benchmarks/startup.py [--runs 21] [--top 12] [--no-phases]

Each command runs ``--runs`` times in a fresh interpreter (``python -m marsad ...``, the code this
script imports); the commands take turns, so load from elsewhere on a shared machine slows them
alike, and the script prints the median and the fastest wall time of each and the median CPU
time (user + system: what a busy machine does not inflate much), next to a bare interpreter
and ``import typer`` for the floor. Then it runs each command once under
``-X importtime`` and lists the modules that took longest to import (cumulative, the top two
levels of the import tree), and (unless ``--no-phases``) times, in fresh interpreters, the
steps the first extraction goes through: importing the engine, loading the language pack and
the gazetteer, building the engine. The report extracted is a short invented one, written to a
temporary file. Goal: both commands start in under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import marsad

SRC = Path(marsad.__file__).resolve().parents[1]
GOAL_S = 0.5
REPORT = (
    "Qanawat Monitoring Group, 14 February 2025. An air strike hit the vegetable market of "
    "Saraqib at noon on Thursday, killing four civilians, two of them children, and wounding "
    "eleven. Residents said the aircraft returned an hour later.\n"
)

# Steps of a first extraction, each timed in the order `marsad extract` goes through them.
PHASES = """
import time
t = time.perf_counter()
def step(name):
    global t
    now = time.perf_counter()
    print(f"{name}\\t{now - t:.4f}")
    t = now
import marsad.cli
step("import marsad.cli")
import typer._adapters
step("import typer._adapters (pydantic: typer converts every parameter with it)")
import marsad.ingest.parse
step("import marsad.ingest.parse")
import marsad.extract
step("import marsad.extract")
from marsad.lang import load_language_pack
pack = load_language_pack("en")
step("load_language_pack('en') (10 YAML files)")
import marsad.gazetteer
step("import marsad.gazetteer")
gazetteer = marsad.gazetteer.default_gazetteer()
step("default_gazetteer() (read the pack, build the index)")
engine = marsad.extract.engine_for(pack)
step("engine_for(pack) (engine build)")
from marsad.contract.claim import DocumentMeta
marsad.extract.extract(open(__import__("sys").argv[1]).read(), DocumentMeta(language="en"))
step("first extract()")
"""


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{path}" if path else str(SRC)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run; CPU time stays close to what the
    command costs when other jobs make the wall time wait for a core."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=_env(), check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return wall, _children_cpu() - cpu


def time_commands(
    commands: dict[str, list[str]], runs: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) of every run of every command, the commands taking turns; one unrecorded
    warm-up each."""
    for argv in commands.values():
        _run_once(argv)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(_run_once(argv))
    return times


def import_breakdown(argv: list[str], top: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, depth, module) of the slowest imports in the top two levels."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        if depth <= 1:
            rows.append((int(cumulative), depth, name.strip()))
    return sorted(rows, reverse=True)[:top]


def phases(report: Path, repeats: int) -> list[tuple[str, float]]:
    """The median seconds of each step over ``repeats`` fresh interpreters."""
    seen: dict[str, list[float]] = {}
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", PHASES, str(report)],
            capture_output=True,
            text=True,
            env=_env(),
            check=True,
        )
        for line in done.stdout.splitlines():
            name, seconds = line.split("\t")
            seen.setdefault(name, []).append(float(seconds))
    return [(name, statistics.median(values)) for name, values in seen.items()]


def _print_times(times: dict[str, list[tuple[float, float]]], goals: set[str]) -> None:
    print(
        f"{'command':<24} {'median s':>9} {'fastest s':>10} {'median CPU s':>13}  goal {GOAL_S} s"
    )
    for name, runs in times.items():
        walls = [wall for wall, _ in runs]
        median = statistics.median(walls)
        verdict = ("met" if median < GOAL_S else "NOT met") if name in goals else ""
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:<24} {median:>9.3f} {min(walls):>10.3f} {cpu:>13.3f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each command")
    parser.add_argument("--top", type=int, default=12, help="modules listed per command")
    parser.add_argument("--no-phases", action="store_true", help="skip the extraction steps")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.txt"
        report.write_text(REPORT, encoding="utf-8")
        marsad_commands = {
            "marsad --help": [py, "-m", "marsad", "--help"],
            "marsad extract FILE": [py, "-m", "marsad", "extract", str(report)],
        }
        floor = {"python -c pass": [py, "-c", "pass"], "import typer": [py, "-c", "import typer"]}
        times = time_commands({**floor, **marsad_commands}, args.runs)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{args.runs} runs each, {os.cpu_count()} CPUs, load average {load}, "
            f"Python {sys.version.split()[0]}\n"
        )
        _print_times(times, set(marsad_commands))
        for name, argv in marsad_commands.items():
            print(f"\nslowest imports of `{name}` (cumulative ms, -X importtime):")
            for micros, depth, module in import_breakdown(argv, args.top):
                print(f"  {micros / 1000:>7.1f}  {'  ' * depth}{module}")
        if not args.no_phases:
            print("\nsteps of a first extraction, median of 5 fresh interpreters (s):")
            for name, seconds in phases(report, 5):
                print(f"  {seconds:>7.3f}  {name}")


if __name__ == "__main__":
    main()
