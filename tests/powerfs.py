"""A FUSE file system that forgets what was not synced, for power-cut tests.

`python -m tests.powerfs LIVE MOUNT [--mode lose|torn|reorder] [--seed N]` serves the
real directory LIVE at MOUNT. Every write reaches LIVE at once (so reads, mmap and
SQLite's locks behave as on any disk), and is also kept in memory as *pending* until
the file is fsync'd; directory entries (creations, renames, unlinks, mkdir) become
durable only when their directory is fsync'd — the strict POSIX reading, as LazyFS
and ALICE use, not ext4's kinder habits. Durable file contents live in a shadow
folder beside LIVE, keyed by a file id that is never reused (the backing file
system's inode numbers are, and a reused one would resurrect the wrong bytes).

Unmounting is the power cut: after `fusermount3 -u MOUNT` the process rebuilds LIVE
as the disk would look when power returns — the durable directory tree with the
durable bytes of each file — and exits. What was pending is lost, except in the
optional modes real disks show: `torn` (each file's pending writes reached the disk
in order up to a random point, the write at that point only partly, in 512-byte
sectors) and `reorder` (each pending write reached the disk or not, independently).
Metadata other than names, sizes and contents (times, owners) is not modelled.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import stat
import sys
from pathlib import Path

import mfusepy as fuse

SECTOR = 512
MODES = ("lose", "torn", "reorder")


class PowerCutFS(fuse.Operations):
    use_ns = True

    def __init__(self, live: Path, shadow: Path):
        self.live, self.shadow = live, shadow
        self.ids: dict[int, int] = {}  # live inode -> file id
        self.next_id = 0
        self.entries: dict[
            int, dict[str, tuple[bool, int, int]]
        ] = {}  # durable: dir id -> name -> (is_dir, id, mode)
        self.pending: dict[
            int, list[tuple]
        ] = {}  # file id -> unsynced ("w", offset, data) | ("t", length)
        self.handles: dict[int, tuple[int, int]] = {}  # fh -> (fd, file id)
        self.next_fh = 1
        self.root_id = self.new_id(os.lstat(live).st_ino)
        self.take_as_durable(live, self.root_id)

    # -- bookkeeping ------------------------------------------------------------------
    def new_id(self, inode: int) -> int:
        self.next_id += 1
        self.ids[inode] = self.next_id
        return self.next_id

    def id_of(self, inode: int) -> int:
        return self.ids.get(inode) or self.new_id(inode)

    def real(self, path: str) -> Path:
        return self.live / path.lstrip("/")

    def take_as_durable(self, folder: Path, folder_id: int) -> None:
        """What LIVE holds at mount time is on the disk already."""
        names = self.entries[folder_id] = {}
        for entry in os.scandir(folder):
            info = entry.stat(follow_symlinks=False)
            child = self.new_id(info.st_ino)
            names[entry.name] = (
                entry.is_dir(follow_symlinks=False),
                child,
                stat.S_IMODE(info.st_mode),
            )
            if entry.is_dir(follow_symlinks=False):
                self.take_as_durable(Path(entry.path), child)
            else:
                shutil.copyfile(entry.path, self.shadow / str(child))

    def record(self, file_id: int, op: tuple) -> None:
        self.pending.setdefault(file_id, []).append(op)

    def apply(self, file_id: int, ops: list[tuple]) -> None:
        """Make ops durable: write them to the file's shadow copy."""
        fd = os.open(self.shadow / str(file_id), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            for op in ops:
                if op[0] == "w":
                    os.pwrite(fd, op[2], op[1])
                else:
                    os.ftruncate(fd, op[1])
        finally:
            os.close(fd)

    def handle_of(self, fh: int | None) -> tuple[int, int] | None:
        return self.handles.get(fh) if fh else None

    # -- the power cut ----------------------------------------------------------------
    def power_off(self, mode: str, rng: random.Random) -> None:
        """Replace LIVE by what survives: durable entries and bytes, plus what the mode lets
        through of the pending writes."""
        for file_id, ops in self.pending.items():
            self.apply(file_id, surviving(ops, mode, rng))
        for child in list(self.live.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        self.rebuild(self.root_id, self.live)

    def rebuild(self, folder_id: int, folder: Path) -> None:
        for name, (is_dir, child, mode) in self.entries.get(folder_id, {}).items():
            target = folder / name
            if is_dir:
                os.mkdir(target, mode)
                self.rebuild(child, target)
            elif (self.shadow / str(child)).exists():
                shutil.copyfile(self.shadow / str(child), target)
                os.chmod(target, mode)
            else:  # the name was synced, never the bytes
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT, mode))

    # -- directories ----------------------------------------------------------------
    def getattr(self, path, fh=None):
        handle = self.handle_of(fh)
        info = os.fstat(handle[0]) if handle else os.lstat(self.real(path))
        return {
            key: getattr(info, key)
            for key in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_ino", "st_blocks")
        } | {
            "st_atime": info.st_atime_ns,
            "st_mtime": info.st_mtime_ns,
            "st_ctime": info.st_ctime_ns,
        }

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self.real(path))

    def mkdir(self, path, mode):
        os.mkdir(self.real(path), mode)
        self.new_id(os.lstat(self.real(path)).st_ino)

    def rmdir(self, path):
        os.rmdir(self.real(path))

    def unlink(self, path):
        os.unlink(self.real(path))

    def rename(self, old, new):
        os.rename(self.real(old), self.real(new))

    def link(self, target, source):
        os.link(self.real(source), self.real(target))  # one file id under two names

    def fsyncdir(self, path, datasync, fh):
        folder = self.real(path)
        names = {}
        for entry in os.scandir(folder):
            info = entry.stat(follow_symlinks=False)
            names[entry.name] = (
                stat.S_ISDIR(info.st_mode),
                self.id_of(info.st_ino),
                stat.S_IMODE(info.st_mode),
            )
        self.entries[self.id_of(os.lstat(folder).st_ino)] = names

    def chmod(self, path, mode):
        os.chmod(self.real(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self.real(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self.real(path), ns=times)

    def statfs(self, path):
        info = os.statvfs(self.live)
        return {
            key: getattr(info, key)
            for key in (
                "f_bsize",
                "f_frsize",
                "f_blocks",
                "f_bfree",
                "f_bavail",
                "f_files",
                "f_ffree",
                "f_namemax",
            )
        }

    # -- files ------------------------------------------------------------------------
    def open(self, path, flags):
        # O_APPEND would make pwrite ignore the offset the kernel chose.
        fd = os.open(self.real(path), flags & ~(os.O_APPEND | os.O_CREAT | os.O_EXCL))
        return self.handle(fd, flags & os.O_TRUNC)

    def create(self, path, mode, fi=None):
        existed = os.path.lexists(self.real(path))
        fd = os.open(self.real(path), os.O_RDWR | os.O_CREAT, mode)
        if not existed:
            self.new_id(os.fstat(fd).st_ino)
        return self.handle(fd, False)

    def handle(self, fd: int, truncated: bool) -> int:
        file_id = self.id_of(os.fstat(fd).st_ino)
        if truncated:
            self.record(file_id, ("t", 0))
        fh, self.next_fh = self.next_fh, self.next_fh + 1
        self.handles[fh] = (fd, file_id)
        return fh

    def read(self, path, size, offset, fh):
        return os.pread(self.handles[fh][0], size, offset)

    def write(self, path, data, offset, fh):
        fd, file_id = self.handles[fh]
        written = os.pwrite(fd, data, offset)
        self.record(file_id, ("w", offset, bytes(data[:written])))
        return written

    def truncate(self, path, length, fh=None):
        handle = self.handle_of(fh)
        if handle:
            os.ftruncate(handle[0], length)
            file_id = handle[1]
        else:
            os.truncate(self.real(path), length)
            file_id = self.id_of(os.lstat(self.real(path)).st_ino)
        self.record(file_id, ("t", length))

    def fsync(self, path, datasync, fh):
        file_id = self.handles[fh][1]
        self.apply(file_id, self.pending.pop(file_id, []))

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(self.handles.pop(fh)[0])


def surviving(ops: list[tuple], mode: str, rng: random.Random) -> list[tuple]:
    """The pending operations of one file that reached the disk before the power went."""
    if mode == "lose" or not ops:
        return []
    if mode == "reorder":
        return [op for op in ops if rng.random() < 0.5]
    stop = rng.randrange(len(ops))  # torn: in order up to ops[stop], which lands partly
    last = ops[stop]
    if last[0] == "w" and len(last[2]) > SECTOR:
        keep = rng.randrange(1, len(last[2]) // SECTOR + 1) * SECTOR
        return ops[:stop] + [("w", last[1], last[2][:keep])]
    return ops[:stop]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("live", type=Path)
    parser.add_argument("mount", type=Path)
    parser.add_argument("--mode", choices=MODES, default="lose")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    live = args.live.resolve()
    shadow = live.with_name(live.name + ".durable")
    shutil.rmtree(shadow, ignore_errors=True)
    shadow.mkdir()
    filesystem = PowerCutFS(live, shadow)
    # Single-threaded, so bookkeeping needs no lock; hard_remove so an unlinked open
    # file is not renamed to .fuse_hidden*; no direct_io, so SQLite's mmap'd -shm works.
    fuse.FUSE(
        filesystem,
        str(args.mount),
        foreground=True,
        nothreads=True,
        hard_remove=True,
        fsname="powerfs",
    )
    filesystem.power_off(args.mode, random.Random(args.seed))
    shutil.rmtree(shadow)


if __name__ == "__main__":
    sys.exit(main())
