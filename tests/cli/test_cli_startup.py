"""What starting the command line loads: building the app and ``--help`` stay on typer, rich and
small modules, and ``marsad extract`` never opens the store's libraries.

Each check runs in a fresh interpreter (a test process has long imported everything) and reads
``sys.modules`` there; how fast it starts is measured by ``benchmarks/startup.py``, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import marsad

SRC = Path(marsad.__file__).resolve().parents[1]

# Libraries only some commands need, and the Marsad packages that pull them in.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "cryptography",
    "argon2",
    "jinja2",
    "matplotlib",
    "pandas",
    "marsad.store",
    "marsad.web",
    "marsad.publish",
    "marsad.custody",
)
# `--help` neither extracts nor scores anything.
NOT_FOR_HELP = (
    *HEAVY,
    "marsad.extract",
    "marsad.gazetteer",
    "marsad.ingest",
    "marsad.evaluate.report",
    "yaml",
)
STORE = ("marsad.store", "sqlalchemy", "alembic", "cryptography", "argon2", "fastapi")

# Prints, as JSON, which of the named modules the code before it loaded.
REPORT_LOADED = (
    "import json, sys\n"
    "names = json.loads(sys.argv[1])\n"
    "print(json.dumps([n for n in names if n in sys.modules]))\n"
)


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    env.pop("MARSAD_KEY_FILE", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _loaded(code: str, names: tuple[str, ...], *args: str) -> list[str]:
    """The modules of ``names`` that running ``code`` in a fresh interpreter loaded."""
    done = _python(code + "\n" + REPORT_LOADED, json.dumps(names), *args)
    assert done.returncode == 0, done.stderr
    result: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_building_the_app_loads_no_heavy_library() -> None:
    code = "import marsad.cli\nfrom typer.main import get_command\nget_command(marsad.cli.app)\n"
    assert _loaded(code, NOT_FOR_HELP) == []


def test_help_of_every_command_loads_no_heavy_library() -> None:
    # every command and group, down to `marsad user token --help` and `marsad eval ucdp --help`
    code = (
        "import contextlib, io\n"
        "from typer.main import get_command\n"
        "from marsad.cli import app\n"
        "def walk(cmd, path):\n"
        "    yield path\n"
        "    for name, sub in getattr(cmd, 'commands', {}).items():\n"
        "        yield from walk(sub, [*path, name])\n"
        "paths = list(walk(get_command(app), []))\n"
        "assert len(paths) > 30, paths\n"
        "for path in paths:\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            app([*path, '--help'], prog_name='marsad')\n"
        "        except SystemExit as stop:\n"
        "            assert stop.code == 0, (path, stop.code)\n"
        "    assert 'Usage' in out.getvalue(), path\n"
    )
    assert _loaded(code, NOT_FOR_HELP) == []


def test_extract_reads_claims_without_the_store(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(
        "On 14 February 2025 an air strike hit the market of Saraqib, killing four civilians, "
        "the Qanawat Monitoring Group said.\n",
        encoding="utf-8",
    )
    code = (
        "import contextlib, io, json, sys\n"
        "from marsad.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        "        app(['extract', '--json', sys.argv[2]], prog_name='marsad')\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code == 0, stop.code\n"
        "claims = [json.loads(line)['claim'] for line in out.getvalue().splitlines()]\n"
        "assert any(p['name'] == 'Saraqib' for c in claims for p in c['places']), claims\n"
    )
    assert _loaded(code, STORE, str(report)) == []


def test_python_dash_m_marsad_help() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "marsad", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    for command in ("extract", "ingest", "export", "serve", "eval"):
        assert command in done.stdout


def test_account_limits_in_help_match_the_store() -> None:
    # the CLI repeats them so that --help need not load the store
    from marsad.cli import web
    from marsad.store import accounts

    assert web.ROLES == accounts.ROLES
    assert web.TOKEN_DAYS == accounts.TOKEN_DAYS
    assert web.MAX_TOKEN_DAYS == accounts.MAX_TOKEN_DAYS
