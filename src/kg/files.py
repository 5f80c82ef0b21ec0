"""Reading an input file defensively: a regular file of bounded size, opened without blocking.

Data files and articles come from people, and a path can name anything: a FIFO (a plain
`open` waits for a writer forever), a device (`/dev/zero` never ends), a folder, a symbolic
link out of the folder it should stay in, a file of gigabytes. Each is refused with a reason
for people before any byte is read; nothing is opened that is not a regular file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(ValueError):
    """A path that is not a readable regular file of bounded size (the reason for people)."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular_file(path: Path, max_bytes: int, *, within: Path | None = None) -> bytes:
    """The bytes of `path`, a regular file of at most `max_bytes` (inside `within`, if given).

    Raises UnreadableFile naming the reason: a symbolic link resolving outside `within`, a
    folder, FIFO, device or socket, a missing or unreadable file, a file over the size limit.
    The file is checked before it is opened, opened with O_NONBLOCK (a FIFO swapped in after
    the check cannot block) and checked again on the open descriptor, and at most
    `max_bytes + 1` bytes are read (a file that grows while it is read is still refused).
    """
    try:
        if within is not None and not (real := path.resolve()).is_relative_to(within.resolve()):
            raise UnreadableFile(f"is a symbolic link to {real}, outside {within.name}/")
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"cannot be read: it is {_kind(mode)}, not a file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    except RuntimeError:  # Path.resolve on a symbolic link loop (Python < 3.13)
        raise UnreadableFile("cannot be read: a loop of symbolic links") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"cannot be read: it is {_kind(info.st_mode)}, not a file")
        if info.st_size > max_bytes:
            raise UnreadableFile(f"is {info.st_size:,} bytes, more than the limit of "
                                 f"{max_bytes:,}")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise UnreadableFile(f"is more than the limit of {max_bytes:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
