"""Files that survive a power cut: the only place that knows what that takes.

fsync(file) makes a file's bytes durable, not its name: a new name, a rename or an
unlink is durable only once the directory holding it is fsync'd too. A file we own is
therefore written beside its final name, fsync'd, renamed into place, and its folder
fsync'd — after that, and only then, may anyone be told it exists. A power cut at any
moment leaves the old file or the new one, never a mix, and never an empty name.
(docs/durability.md; tests/test_power_cuts.py cuts each of these paths.)
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


def sync_dir(folder: Path) -> None:
    """Make the names in folder (creations, renames, unlinks) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(folder: Path, mode: int) -> None:
    """mkdir -p, each new folder made durable in its parent."""
    folder = Path(folder)
    if folder.is_dir():
        return
    make_dirs(folder.parent, mode)
    try:
        folder.mkdir(mode=mode)
    except FileExistsError:
        return
    sync_dir(folder.parent)


def sync_file(path: Path) -> None:
    """fsync a file that is already written and closed."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_new(path: Path) -> None:
    """A file just written under its final name: its bytes, then its name."""
    sync_file(path)
    sync_dir(Path(path).parent)


def sync_tree(root: Path) -> None:
    """Every folder under root (and root), deepest first: before the tree is renamed into
    place, each name in it must be durable."""
    for folder in sorted((p for p in Path(root).rglob("*") if p.is_dir()), reverse=True):
        sync_dir(folder)
    sync_dir(root)


def replace(source: Path, target: Path) -> None:
    """Rename a fully written file into place: its bytes first, then its new name."""
    sync_file(source)
    os.replace(source, target)
    sync_dir(Path(target).parent)
    if Path(source).parent != Path(target).parent:
        sync_dir(Path(source).parent)


def write_file(target: Path, data: bytes, mode: int) -> None:
    """The whole file or none of it under target, even across a power cut."""
    with written_beside(Path(target), data, mode) as partial:
        replace(partial, target)


def create_once(target: Path, data: bytes, mode: int) -> None:
    """Like write_file, but a file already at target (another process was first) wins."""
    with written_beside(Path(target), data, mode) as partial:
        try:
            os.link(partial, target)
        except FileExistsError:
            return
        sync_dir(Path(target).parent)


@contextlib.contextmanager
def written_beside(target: Path, data: bytes, mode: int):
    """A durable copy of data next to target, gone again afterwards."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        yield partial
    finally:
        partial.unlink(missing_ok=True)
