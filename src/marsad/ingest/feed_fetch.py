"""Fetch a feed's bytes: over HTTP(S) with a conditional request, or from a local file.

A server that answers 304 to If-None-Match / If-Modified-Since sends nothing, and nothing is
read. Every failure (refused connection, timeout, an error status, a body over the size limit)
is a :class:`FetchError` whose message says what happened, without the address, which the
caller names.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass

import httpx

from marsad import __version__

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


class FetchError(Exception):
    """The feed could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def fetch_feed(
    location: str,
    kind: str,
    *,
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    max_bytes: int,
) -> Fetched:
    if kind == "file":
        return Fetched(not_modified=False, body=_read_file(location, max_bytes))
    return _fetch_url(location, etag, last_modified, timeout, max_bytes)


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FetchError("not a regular file")
            body = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError("no such file") from None
    except OSError as exc:
        raise FetchError(f"could not be read: {exc.strerror or exc}") from None
    if len(body) > max_bytes:
        raise FetchError(_too_big(max_bytes))
    return body


def _fetch_url(
    url: str, etag: str | None, last_modified: str | None, timeout: float, max_bytes: int
) -> Fetched:
    headers = {"User-Agent": f"marsad/{__version__}", "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
            if response.status_code >= 400 or response.status_code < 200:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            body = _read_body(response, timeout, max_bytes)
            return Fetched(
                not_modified=False,
                body=body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except httpx.TimeoutException:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects (more than 5)") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"not a fetchable address ({exc})") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"could not connect ({_first_line(exc)})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"request failed ({type(exc).__name__}: {_first_line(exc)})") from None


def _read_body(response: httpx.Response, timeout: float, max_bytes: int) -> bytes:
    """The body, refused past ``max_bytes`` or when it trickles in for longer than a few
    timeouts (each read is bounded by the timeout, but a server may send a byte a second)."""
    deadline = time.monotonic() + 4 * timeout
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_too_big(max_bytes))
        if time.monotonic() > deadline:
            raise FetchError(f"timed out: the body took over {4 * timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(max_bytes: int) -> str:
    return f"over the {max_bytes:,}-byte limit (raise it with --max-bytes or MARSAD_MAX_BYTES)"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
