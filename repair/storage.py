"""Where inputs come from and outputs go: local paths, or any fsspec URL.

Local paths are the common, tested case and go through the plain ``os`` calls
(atomic writes, permissions, symlinks). A path with a scheme (``s3://…``,
``gs://…``, ``memory://…``) is handed to fsspec, which ships with Dask; which
schemes work depends on the fsspec back-ends installed where the job runs.
``file://`` URLs are turned into local paths so they get the local guarantees.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class NotRegularFile(OSError):
    """A FIFO, device or socket: reading it could block forever, so it is refused."""


def is_url(path: str | Path) -> bool:
    return isinstance(path, str) and bool(_SCHEME.match(path)) and not path.startswith("file://")


def local(path: str) -> str:
    """``file:///x`` -> ``/x``; anything else unchanged."""
    return path[len("file://") :] if path.startswith("file://") else path


def _fs(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:  # fsspec comes with the dask extra
        raise OSError(f"{url}: URLs need fsspec: pip install 'repair[dask]'") from exc
    return url_to_fs(url)


def input_size(path: str) -> int:
    """Size in bytes of a regular file; raises ``OSError`` for missing, unreadable or special files.

    ``os.stat`` follows symlinks, so a broken symlink raises ``FileNotFoundError``.
    """
    if is_url(path):
        fs, inner = _fs(path)
        info = fs.info(inner)
        if info.get("type") == "directory":
            raise IsADirectoryError(21, "Is a directory", path)
        return int(info.get("size") or 0)
    st = os.stat(local(path))
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(0, "not a regular file", path)
    return st.st_size


def open_input(path: str) -> BinaryIO:
    if is_url(path):
        fs, inner = _fs(path)
        return fs.open(inner, "rb")
    return open(local(path), "rb")


def read_input(path: str) -> bytes:
    with open_input(path) as handle:
        return handle.read()


def is_dir(path: str) -> bool:
    if is_url(path):
        fs, inner = _fs(path)
        return bool(fs.isdir(inner))
    return Path(local(path)).is_dir()


def exists(path: str) -> bool:
    if is_url(path):
        fs, inner = _fs(path)
        return bool(fs.exists(inner))
    p = Path(local(path))
    return p.exists() or p.is_symlink()


def walk_url(url: str) -> Iterator[tuple[str, str]]:
    """``(url, relative path)`` of every file under a directory URL, sorted."""
    fs, root = _fs(url)
    root = root.rstrip("/")
    for found in sorted(fs.find(root)):
        rel = found[len(root) :].lstrip("/")
        if rel:
            yield fs.unstrip_protocol(found), rel


def join(base: str, rel: str) -> str:
    return base.rstrip("/") + "/" + rel.lstrip("/")


def write_url(url: str, chunks: Iterator[bytes] | bytes) -> None:
    """Write an output URL. Object stores make an object visible only once it is complete."""
    fs, inner = _fs(url)
    parent = inner.rsplit("/", 1)[0]
    if parent and parent != inner:
        fs.makedirs(parent, exist_ok=True)
    with fs.open(inner, "wb") as handle:
        if isinstance(chunks, bytes):
            handle.write(chunks)
        else:
            for chunk in chunks:
                handle.write(chunk)
