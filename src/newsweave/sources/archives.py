"""Compressed files and archives: what is inside is read like files of its own.

A gzip, bzip2 or xz file is decompressed as it is read and its content taken by its inner name
(``articles.jsonl.gz`` is JSON Lines, ``page.html.gz`` one HTML page) or by sniffing; a ZIP or tar
archive (``.tar.gz`` and the like included) gives each regular, non-hidden member in archive
order, named ``ARCHIVE!MEMBER`` in items and failures. Archives inside archives are opened too, up
to ``MAX_DEPTH`` levels. A WARC file stays a WARC file (``.warc.gz`` is read record by record by
the WARC reader), and a member that is not a text document fails with its name and the reason,
like a file would; the rest of the archive goes on.

Limits: a single document (HTML, text, JSON, feed) is read up to ``max_bytes`` once decompressed
(so a small compressed file cannot blow up into a huge one in memory); line- and record-oriented
content (JSON Lines, CSV, WARC) is spooled to a temporary file, as standard input is.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import IO, BinaryIO

from ..config import Settings
from ..models import Failure, RawItem
from .dispatch import STREAMED, iter_blob, iter_stream
from .formats import SNIFF_BYTES, STAGE, binary_kind, format_for_name, is_warc, sniff_format

Result = RawItem | Failure
MAX_DEPTH = 3  # an archive in an archive in an archive, and no deeper

_COMPRESSED: dict[str, tuple[bytes, tuple[str, ...], Callable[[IO[bytes]], IO[bytes]]]] = {
    "gzip": (b"\x1f\x8b", (".gz", ".gzip", ".tgz"), lambda f: gzip.GzipFile(fileobj=f, mode="rb")),
    "bzip2": (b"BZh", (".bz2", ".tbz2", ".tbz"), lambda f: bz2.BZ2File(f, mode="rb")),
    "xz": (b"\xfd7zXZ\x00", (".xz", ".txz"), lambda f: lzma.LZMAFile(f, mode="rb")),
}
_TAR_SUFFIX = {".tgz": ".tar", ".tbz2": ".tar", ".tbz": ".tar", ".txz": ".tar"}


@contextmanager
def spooled(head: bytes, rest: IO[bytes] | None = None) -> Iterator[BinaryIO]:
    """A seekable temporary file holding ``head`` and then the rest of ``rest`` (a stream that
    cannot seek, or was sniffed already), at its start; removed on exit. On disk, never in
    memory: a large JSON Lines dump or archive may come this way."""
    with tempfile.TemporaryFile() as tmp:
        tmp.write(head)
        if rest is not None:
            shutil.copyfileobj(rest, tmp)
        tmp.seek(0)
        yield tmp  # type: ignore[misc]


def archive_kind(head: bytes) -> str | None:
    """"zip", "tar", "gzip", "bzip2" or "xz" for the first bytes of such a file (a gzip-compressed
    WARC is a WARC file, not an archive: None), else None."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if is_warc(head):
        return None
    for kind, (magic, _, _) in _COMPRESSED.items():
        if head.startswith(magic):
            return kind
    return None


def _inner_name(name: str, kind: str) -> str:
    """The name of what a compressed file holds: its name without the compression suffix."""
    low = name.lower()
    for suffix in _COMPRESSED[kind][1]:
        if low.endswith(suffix):
            return name[: -len(suffix)] + _TAR_SUFFIX.get(suffix, "")
    return name


def iter_archive(stream: BinaryIO, name: str, file_name: str, kind: str, settings: Settings,
                 depth: int = 1) -> Iterator[Result]:
    """Items from a compressed file or archive (``kind``: see ``archive_kind``) read from a
    seekable binary stream; ``name`` names it in items and failures, ``file_name`` is the name
    its content is judged by."""
    if depth > MAX_DEPTH:
        yield Failure(name, f"archive nested more than {MAX_DEPTH} levels deep; not opened", STAGE)
        return
    try:
        if kind == "zip":
            yield from _iter_zip(stream, name, settings, depth)
        elif kind == "tar":
            yield from _iter_tar(stream, name, settings, depth, mode="r:")
        else:
            inner = _COMPRESSED[kind][2](stream)
            yield from _iter_member(inner, name, _inner_name(file_name, kind), settings, depth,
                                    compressed=kind)
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, lzma.LZMAError,
            zlib.error) as e:
        yield Failure(name, f"cannot read the {kind} archive: {e}", STAGE)


def _hidden(member: str) -> bool:
    parts = PurePosixPath(member).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _iter_zip(stream: BinaryIO, name: str, settings: Settings, depth: int) -> Iterator[Result]:
    with zipfile.ZipFile(stream) as zf:
        for info in zf.infolist():
            if info.is_dir() or _hidden(info.filename):
                continue
            member = f"{name}!{info.filename}"
            if info.flag_bits & 0x1:
                yield Failure(member, "encrypted archive member; not read", STAGE)
                continue
            try:
                with zf.open(info) as f:
                    yield from _iter_member(f, member, info.filename, settings, depth)
            except (OSError, EOFError, zipfile.BadZipFile, NotImplementedError, zlib.error) as e:
                yield Failure(member, f"cannot read the archive member: {e}", STAGE)


def _iter_tar(stream: BinaryIO, name: str, settings: Settings, depth: int, mode: str
              ) -> Iterator[Result]:
    with tarfile.open(fileobj=stream, mode=mode) as tf:
        for info in tf:
            if not info.isfile() or _hidden(info.name):
                continue
            member = f"{name}!{info.name}"
            f = tf.extractfile(info)
            if f is None:
                continue
            with f:
                yield from _iter_member(f, member, info.name, settings, depth)


def _iter_member(f: IO[bytes], name: str, file_name: str, settings: Settings, depth: int,
                 compressed: str | None = None) -> Iterator[Result]:
    """Items from one decompressed file or archive member, read from ``f`` (not necessarily
    seekable): judged like a file of that name."""
    head = f.read(SNIFF_BYTES)
    if not head:
        yield Failure(name, "empty file (0 bytes)" if compressed is None
                      else f"empty once decompressed ({compressed})", STAGE)
        return
    fmt = format_for_name(file_name)
    kind = None if fmt == "warc" else archive_kind(head)
    if kind == "tar" and compressed is not None:
        # A compressed tarball: read as it is decompressed, member by member.
        yield from _iter_tar(_Prefixed(head, f), name, settings, depth, mode="r|")
        return
    if kind is not None:  # an archive inside: a ZIP needs its end, so spooled
        with spooled(head, f) as tmp:
            yield from iter_archive(tmp, name, file_name, kind, settings, depth + 1)
        return
    fmt = fmt or sniff_format(head)
    if fmt in STREAMED:  # the record readers seek: spooled
        with spooled(head, f) as tmp:
            yield from iter_stream(tmp, name, fmt, settings)
        return
    what = binary_kind(head)
    if what:
        whose = "the decompressed content" if compressed else "the member"
        yield Failure(name, f"not a text document: {whose} is {what}", STAGE)
        return
    data = head + f.read(settings.max_bytes + 1 - len(head))
    item_id = PurePosixPath(file_name).stem if fmt in ("text", "html") else None
    yield from iter_blob(data, name, fmt, settings, item_id=item_id)


class _Prefixed:
    """A stream that gives ``head`` again before the rest of ``f`` (bytes already sniffed)."""

    def __init__(self, head: bytes, f: IO[bytes]) -> None:
        self._head, self._f = head, f

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._f.read(n)
        if n is None or n < 0:
            out, self._head = self._head + self._f.read(), b""
            return out
        out, self._head = self._head[:n], self._head[n:]
        if len(out) < n:
            out += self._f.read(n - len(out))
        return out
