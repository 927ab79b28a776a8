"""Sending an alert: a webhook (POST JSON) or a command (argv, the JSON on its stdin).

Each attempt has a timeout; a webhook that fails (no answer, an error status, a redirect) is
tried once more. Nothing here raises for a target's failure: the outcome is returned, to be
recorded beside the alert, and the next target is tried. Outcomes hold only what this module
words (a status code, an exit status, the kind of error), never what a target wrote back.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from marsad.alerts.rules import Target

WEBHOOK_ATTEMPTS = 2  # the first try and one retry
_USER_AGENT = "marsad-alerts/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own: following it would send the alert to a place the
    rule file does not name."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def payload_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def deliver(target: Target, payload: dict[str, Any]) -> dict[str, Any]:
    """Send ``payload`` to ``target``; returns the outcome (``ok``, ``attempts``, ``status``,
    ``error``) stamped with the time."""
    body = payload_bytes(payload)
    outcome = _webhook(target, body) if target.kind == "webhook" else _command(target, body)
    return {"target": target.label, **outcome, "at": datetime.now(UTC).isoformat()}


def _webhook(target: Target, body: bytes) -> dict[str, Any]:
    assert target.url is not None
    status: int | None = None
    error = ""
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        request = urllib.request.Request(
            target.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": _USER_AGENT},
        )
        try:
            with _OPENER.open(request, timeout=target.timeout) as response:
                status = int(response.status)
            if 200 <= status < 300:
                return {"ok": True, "attempts": attempt, "status": status, "error": ""}
            error = f"answered HTTP {status}"
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"answered HTTP {exc.code}"
            exc.close()
        except urllib.error.URLError as exc:
            status, error = None, f"could not connect: {_reason(exc.reason)}"
        except TimeoutError:
            status, error = None, f"no answer within {target.timeout:g} s"
        except OSError as exc:
            status, error = None, f"could not send: {_reason(exc)}"
    return {"ok": False, "attempts": WEBHOOK_ATTEMPTS, "status": status, "error": error}


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    return type(reason).__name__ if not isinstance(reason, str) else reason[:200]


def _command(target: Target, body: bytes) -> dict[str, Any]:
    try:
        done = subprocess.run(
            list(target.argv),
            input=body,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=target.timeout,
            check=False,
            shell=False,
        )
    except subprocess.TimeoutExpired:
        return _failed(f"still running after {target.timeout:g} s (stopped)")
    except OSError as exc:
        return _failed(f"could not start: {exc.strerror or type(exc).__name__}")
    if done.returncode != 0:
        return {
            "ok": False,
            "attempts": 1,
            "status": done.returncode,
            "error": f"exit status {done.returncode}",
        }
    return {"ok": True, "attempts": 1, "status": 0, "error": ""}


def _failed(error: str) -> dict[str, Any]:
    return {"ok": False, "attempts": 1, "status": None, "error": error}
