"""Which files a batch is made of: the paths the user named, and the reports found in folders.

A folder someone else filled (a partner's archive, a shared drive) can hold links that point
anywhere on this machine, so symbolic links are not followed unless the user asks. Nothing is
passed over silently except hidden files: every other path left out is named with its reason.
The walk uses an explicit stack, so however deep the folders go it never exhausts Python's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

SUPPORTED_SUFFIXES = (
    *(".txt", ".md", ".html", ".htm", ".json", ".jsonl"),
    *(".pdf", ".docx", ".eml"),  # read by marsad.ingest.formats
)
FOLLOW_HINT = "not followed (pass --follow-symlinks to read what it points to)"


def unsupported_reason(suffix: str) -> str:
    """Why a file of this type is not read as a report, and what to do instead."""
    if suffix == ".csv":
        return (
            "CSV files are datasets, not reports: bring ACLED or UCDP rows in "
            "with `marsad import acled FILE` or `marsad import ucdp FILE`"
        )
    return (
        f"unsupported file type {suffix or '(no extension)'}; "
        f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
    )


def _link_reason(path: str) -> str:
    """Why a symbolic link is left out: dangling, or not followed without the flag."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    if not os.path.exists(path):
        return f"dangling symbolic link (its target {target} does not exist)"
    return f"symbolic link to {target}, {FOLLOW_HINT}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class _Walker:
    """One walk: collects what is skipped (not reports, links) and what could not be read."""

    def __init__(self, skipped: list[str], errors: list[str], follow_symlinks: bool) -> None:
        self.skipped = skipped
        self.errors = errors
        self.follow = follow_symlinks
        self.folders_seen: set[tuple[int, int]] = set()

    def named(self, path: Path) -> Iterator[Path]:
        """A path given by the user: a file is yielded as is (``parse_file`` names any problem
        with it), a folder is walked."""
        name = str(path)
        if os.path.islink(name) and not (self.follow and os.path.exists(name)):
            self.skipped.append(f"{name}: {_link_reason(name)}")
        elif os.path.isdir(name):
            yield from self.folder(path)
        else:
            yield path

    def folder(self, root: Path) -> Iterator[Path]:
        if not self._enter(root):
            return
        # entries wait on a stack in reverse order, so the walk is sorted and depth-first
        stack = self._children(root)[::-1]
        while stack:
            entry = stack.pop()
            if entry.is_dir(follow_symlinks=self.follow):
                folder = Path(entry.path)
                if self._enter(folder):
                    stack.extend(self._children(folder)[::-1])
            else:
                yield from self._file(entry)

    def _enter(self, path: Path) -> bool:
        try:
            info = path.stat()
        except OSError as exc:
            self.errors.append(f"{path}: folder could not be read: {exc.strerror or exc}")
            return False
        key = (info.st_dev, info.st_ino)
        if key in self.folders_seen:
            self.skipped.append(f"{path}: folder already walked (reached again through a link)")
            return False
        self.folders_seen.add(key)
        return True

    def _children(self, path: Path) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(path) as entries:
                children = [e for e in entries if not e.name.startswith(".")]
        except OSError as exc:
            self.errors.append(f"{path}: folder could not be read: {exc.strerror or exc}")
            return []
        return sorted(children, key=lambda e: e.name)

    def _file(self, entry: os.DirEntry[str]) -> Iterator[Path]:
        if entry.is_symlink() and not (self.follow and os.path.exists(entry.path)):
            self.skipped.append(f"{entry.path}: {_link_reason(entry.path)}")
            return
        try:
            mode = entry.stat(follow_symlinks=self.follow).st_mode
        except OSError as exc:
            self.errors.append(f"{entry.path}: could not be read: {exc.strerror or exc}")
            return
        suffix = os.path.splitext(entry.name)[1].lower()
        if not stat.S_ISREG(mode):
            self.skipped.append(f"{entry.path}: {_kind(mode)}, not a report")
        elif suffix in SUPPORTED_SUFFIXES:
            yield Path(entry.path)
        else:
            self.skipped.append(f"{entry.path}: {unsupported_reason(suffix)}")


def iter_paths(
    paths: Iterable[Path],
    skipped: list[str] | None = None,
    *,
    errors: list[str] | None = None,
    follow_symlinks: bool = False,
) -> Iterator[Path]:
    """Files named directly, and supported files found under folders (sorted, hidden skipped).

    A path that does not exist is yielded as is, so that ``parse_file`` can name it. Each path
    left out is added as "path: reason" to ``skipped`` (other file types, links not followed,
    dangling links, pipes and devices) or to ``errors`` (folders and entries that could not be
    read); without ``errors``, those go to ``skipped`` too.
    """
    skipped = [] if skipped is None else skipped
    walker = _Walker(skipped, skipped if errors is None else errors, follow_symlinks)
    for path in paths:
        yield from walker.named(path)
