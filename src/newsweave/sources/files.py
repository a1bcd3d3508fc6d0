"""Local inputs: files, directories (recursive), glob patterns and stdin."""
from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..config import Settings
from ..models import Failure, RawItem
from .archives import archive_kind, iter_archive, spooled
from .dispatch import STREAMED, iter_blob, iter_stream
from .formats import SNIFF_BYTES, STAGE, binary_kind, format_for_name, sniff_format

Result = RawItem | Failure
STDIN_NAME = "<stdin>"


def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk_dir(root: Path) -> Iterator[Path]:
    """Files under ``root``, recursively, in path order, skipping hidden files and directories."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _hidden(d)]
        found.extend(Path(dirpath) / name for name in filenames if not _hidden(name))
    yield from sorted(found, key=lambda p: p.parts)


def expand_input(value: str) -> Iterator[Path | Failure]:
    """The files one path, directory or glob pattern names, or a Failure when it names none."""
    if not value.strip():
        yield Failure(repr(value), "empty path", STAGE)
        return
    path = Path(value).expanduser()
    if path.is_dir():
        yield from walk_dir(path)
    elif path.exists() or path.is_symlink():
        yield path
    elif glob.has_magic(value):
        matches = sorted(glob.glob(os.path.expanduser(value), recursive=True))
        if not matches:
            yield Failure(value, "glob pattern matched no files", STAGE)
        for m in matches:
            p = Path(m)
            # glob's own rules already leave out hidden names unless the pattern asks for them
            yield from walk_dir(p) if p.is_dir() else iter([p])
    else:
        yield Failure(value, "no such file or directory", STAGE)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


def iter_path(path: Path, settings: Settings) -> Iterator[Result]:
    """Items from one file, by its extension or, when that says nothing, its content."""
    name = str(path)
    try:
        st = path.stat()
    except OSError as e:
        yield Failure(name, f"cannot read: {e.strerror or e}", STAGE)
        return
    if not stat.S_ISREG(st.st_mode):
        yield Failure(name, "not a regular file", STAGE)
        return
    if st.st_size == 0:
        yield Failure(name, "empty file (0 bytes)", STAGE)
        return
    fmt = format_for_name(path.name)
    too_big = st.st_size > settings.max_bytes
    if fmt is not None and fmt not in STREAMED and too_big:
        # Refuse before opening: a single document this large is not an article.
        hint = "; use JSON Lines for large collections" if fmt == "json" else ""
        yield Failure(name, f"file is {_size(st.st_size)}, over max_bytes "
                      f"({_size(settings.max_bytes)}); not read{hint}", STAGE)
        return
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
            kind = None if fmt == "warc" else archive_kind(head)
            if kind is not None:  # compressed or an archive: what is inside, file by file
                f.seek(0)
                yield from iter_archive(f, name, path.name, kind, settings)
                return
            if fmt != "warc":
                what = binary_kind(head)
                if what:
                    yield Failure(name, f"not a text document: the file is {what}", STAGE)
                    return
            if fmt is None:
                fmt = sniff_format(head)
                if fmt not in STREAMED and too_big:
                    yield Failure(name, f"file is {_size(st.st_size)}, over max_bytes "
                                  f"({_size(settings.max_bytes)}); not read", STAGE)
                    return
            f.seek(0)
            if fmt in STREAMED:
                yield from iter_stream(f, name, fmt, settings)
            else:
                item_id = path.stem if fmt in ("text", "html") else None
                yield from iter_blob(f.read(settings.max_bytes + 1), name, fmt, settings,
                                     item_id=item_id)
    except OSError as e:
        yield Failure(name, f"cannot read: {e.strerror or e}", STAGE)


def iter_stdin(stream: BinaryIO, settings: Settings) -> Iterator[Result]:
    """Items from standard input, its format sniffed from the content."""
    try:
        head = stream.read(SNIFF_BYTES)
    except OSError as e:
        yield Failure(STDIN_NAME, f"cannot read: {e}", STAGE)
        return
    if not head.strip():
        yield Failure(STDIN_NAME, "empty input", STAGE)
        return
    kind = archive_kind(head)
    if kind is not None:  # compressed or an archive, spooled to disk to be opened
        with spooled(head, stream) as tmp:
            yield from iter_archive(tmp, STDIN_NAME, STDIN_NAME, kind, settings)
        return
    what = binary_kind(head)
    if what:
        yield Failure(STDIN_NAME, f"not a text document: the input is {what}", STAGE)
        return
    fmt = sniff_format(head)
    if fmt not in STREAMED:
        data = head + stream.read(settings.max_bytes + 1 - len(head))
        yield from iter_blob(data, STDIN_NAME, fmt, settings)
        return
    # Line- and record-oriented input may be large: spool it to disk, never to memory.
    with spooled(head, stream) as tmp:
        yield from iter_stream(tmp, STDIN_NAME, fmt, settings)
