"""The one lookup every loader goes through: the mirror ``DLS_DATA_DIR``, then the cache ``data/``, then the source.
A copy that fails verification is reported with the fix for where it lies, never used nor silently replaced."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import socket
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from .. import config
from .sources import SOURCES, Source

T = TypeVar("T")

MIRROR, CACHE = "mirror", "cache"
FETCH_FIX = (
    "Fix: run `make data` once while online (it fills data/), or set DLS_DATA_DIR to a folder "
    "that holds a copy (e.g. `export DLS_DATA_DIR=../shared/data`)."
)
DAMAGED_FIX = {
    MIRROR: "Fix: repair the mirror's copy, or unset DLS_DATA_DIR to use data/ and downloads instead.",
    CACHE: "Fix: delete it and run `make data` to fetch it again.",
}
ACCESS_FIX = {
    MIRROR: "Fix: ask whoever keeps the mirror to make it readable (files 0644, folders 0755), "
    "or unset DLS_DATA_DIR to use data/ and downloads instead.",
    CACHE: "Fix: make it readable and writable for you (e.g. `chmod -R u+rwX data`), "
    "or set DLS_CACHE_DIR to a folder of your own.",
}
DISK_FULL = (
    "The disk is full: {what} could not be written to {where}. Nothing half-written was kept. "
    "Fix: free some space on that disk, or set DLS_CACHE_DIR to a folder on a disk with room."
)
IS_A_FILE = "{where} is a file where a folder is needed (for {what}). Fix: move that file away, or set DLS_CACHE_DIR to another folder."
OS_ERRORS = {  # errno -> message; {fix} is ACCESS_FIX for the place
    **dict.fromkeys((errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)), DISK_FULL),
    **dict.fromkeys((errno.EACCES, errno.EPERM), "Permission denied on {where} while providing {what}. {fix}"),
    errno.EROFS: "{where} is on a read-only file system, so {what} cannot be stored there. "
    "Fix: set DLS_CACHE_DIR to a writable folder.",
    **dict.fromkeys((errno.EEXIST, errno.ENOTDIR), IS_A_FILE),
    errno.EISDIR: "{where} is a folder where a file is needed (for {what}). Fix: move that folder away.",
}

# A download that trickles fails: past an overall deadline, or (after a grace period) below a lowest average rate.
DOWNLOAD_DEADLINE_S = 3 * 3600
SLOW_GRACE_S = 60
MIN_BYTES_PER_S = 20_000
FILE_MODE, FOLDER_MODE = 0o644, 0o755  # what the cache holds is shareable (e.g. as DLS_DATA_DIR)


class DataError(RuntimeError):
    """A data set or weights file could not be provided."""


class DataUnavailableError(DataError):
    """No local copy exists and none can be made (offline, source gone); ``reason`` says where and why, as a phrase."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


class ChecksumError(DataError):
    """A copy is not what it should be: damaged, truncated, or tampered with."""


class DataAccessError(DataError):
    """A file or folder cannot be read or written: permissions, a full disk, a file in a folder's place."""


class Invalid(Exception):
    """Raised by a ``read`` function: this copy is not the expected data (the message says why)."""


class CannotMake(Exception):
    """Raised by a ``make`` function: no copy can be made here (the message says why, as a phrase)."""


def check_digests(file: BinaryIO, checksums: Iterable[str]) -> None:
    """Return when the content of ``file`` matches one of ``checksums`` (``"algorithm:hex"``).

    Raises:
        Invalid: none matches.
    """
    for checksum in checksums:
        algorithm, value = checksum.split(":", 1)
        file.seek(0)
        if hashlib.file_digest(file, algorithm).hexdigest() == value:
            return
    raise Invalid(f"its checksum matches none of {', '.join(checksums)}: it is damaged or has been changed")


def read_verified(path: Path, checksums: Iterable[str]) -> bytes:
    """Read ``path`` once and return its bytes if they match one of ``checksums``; the caller loads these very bytes.

    Raises:
        Invalid: the bytes match no checksum. OSError: the file cannot be read.
    """
    payload = path.read_bytes()
    check_digests(io.BytesIO(payload), checksums)
    return payload


@contextmanager
def os_errors(place: str, what: str) -> Iterator[None]:
    """Turn any ``OSError`` raised inside into a ``DataAccessError`` saying what, where (mirror or cache), and the fix."""
    try:
        yield
    except OSError as error:
        where = config.display_path(error.filename) if error.filename else "a data folder"
        known = OS_ERRORS.get(error.errno)
        if known:
            message = known.format(what=what, where=where, fix=ACCESS_FIX[place])
        else:  # the system's own words may hold braces: not a format string
            message = f"{what} could not be read or written at {where}: {error.strerror or error}. {ACCESS_FIX[place]}"
        raise DataAccessError(message) from error


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` and its missing parents (0755); return it."""
    missing = [path for path in [folder, *folder.parents] if not path.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, FOLDER_MODE)
    return folder


@contextmanager
def staging(name: str) -> Iterator[Path]:
    """Yield an empty folder in the cache to build ``name`` in (``.<name>.<host>-<pid>.partial``); removed on exit."""
    owner = f"{socket.gethostname()}-{os.getpid()}"
    folder = ensure_folder(config.cache_dir()) / f".{name.replace('/', '_')}.{owner}.partial"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_into_place(built: Path, target: Path) -> None:
    """Move the finished ``built`` (a file or folder in a staging folder) to ``target``: files 0644, folders 0755.

    A folder whose target already exists (another process finished first) is left to that process's copy.
    """
    for path in [built, *built.rglob("*")]:
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    ensure_folder(target.parent)
    try:
        os.replace(built, target)
    except OSError as error:
        if not (built.is_dir() and target.is_dir() and error.errno in (errno.EEXIST, errno.ENOTEMPTY)):
            raise


def sweep_dead_staging(cache: Path) -> list[Path]:
    """Remove the staging folders that dead processes of this host left in ``cache`` (best effort); return them."""
    import psutil

    owner = re.compile(rf"\..+\.{re.escape(socket.gethostname())}-(\d+)\.partial")
    dead = []
    for folder in cache.glob(".*.partial"):
        match = owner.fullmatch(folder.name)
        if match and not psutil.pid_exists(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)
            dead.append(folder)
    return dead


def _read(read: Callable[[Path], T], path: Path, place: str, what: str) -> T:
    try:
        return read(path)
    except Invalid as problem:
        message = f"{config.display_path(path)} ({what}) is not usable: {problem}. {DAMAGED_FIX[place]}"
        raise ChecksumError(message) from None


def obtain(name: str, what: str, read: Callable[[Path], T], make: Callable[[Path], None] | None = None) -> T:
    """Find ``name`` in the mirror, then the cache, else make it in the cache; return ``read(path)``.

    ``what`` names it in messages; ``read`` raises ``Invalid`` for a wrong copy; ``make`` creates ``name`` at the cache
    path it is given or raises ``CannotMake`` (None: only a local copy can provide it).

    Raises:
        ChecksumError: a copy is damaged or tampered with (with the fix for where it lies).
        DataUnavailableError: no copy, and ``make`` is None or failed.
        DataAccessError: a file or folder cannot be read or written (permissions, full disk...).
    """
    mirror, cache = config.mirror_dir(), config.cache_dir()
    with os_errors(MIRROR, "the mirror (DLS_DATA_DIR)"):
        if mirror is not None and not mirror.is_dir():
            raise DataUnavailableError(
                f"DLS_DATA_DIR is set to {config.display_path(mirror)}, which does not exist or is not a folder. "
                "Fix: correct it (relative paths count from the project root), or unset it to use data/ and downloads."
            )
    sweep_dead_staging(cache)
    places = ([(MIRROR, mirror / name)] if mirror else []) + [(CACHE, cache / name)]
    for place, path in places:
        with os_errors(place, what):  # exists() raises, for one, on a folder that cannot be searched
            if path.exists() or path.is_symlink():  # a broken link is reported when read, not skipped
                return _read(read, path, place, what)
    reason = "it has no download source (only the mirror offers it)"
    if make is not None:
        with os_errors(CACHE, what):
            try:
                make(cache / name)
                return _read(read, cache / name, CACHE, what)
            except CannotMake as error:
                reason = str(error)
    reason = f"no copy in {', '.join(config.display_path(path) for _, path in places)}, and {reason}"
    raise DataUnavailableError(f"{what} is not available: {reason}. {FETCH_FIX}", reason)


def verify_file(path: Path, checksums: Iterable[str]) -> Path:
    """Return ``path`` when its content matches one of ``checksums``, for files loaded by path.

    Raises:
        Invalid: no checksum matches. OSError: unreadable.
    """
    with open(path, "rb") as file:
        check_digests(file, checksums)
    return path


def _obtain_source(key: str, read: Callable[[Path, tuple[str, ...]], T]) -> T:
    if key not in SOURCES:
        raise ValueError(f"Unknown data source {key!r}; known: {', '.join(sorted(SOURCES))}.")
    source = SOURCES[key]
    return obtain(source.filename, source.description, lambda p: read(p, source.checksums), downloader_for(source))


def fetch(key: str) -> Path:
    """Return the path of a verified local copy of the registry's file ``key`` (``SOURCES``), for files loaded by path.

    Raises:
        ValueError: ``key`` is not a known source.
        ChecksumError, DataUnavailableError, DataAccessError: see ``obtain``.
    """
    return _obtain_source(key, verify_file)


def fetch_bytes(key: str) -> bytes:
    """Return the verified bytes of the registry's file ``key``: read once, checked, loaded from memory.

    Raises:
        ValueError, ChecksumError, DataUnavailableError, DataAccessError: as ``fetch``.
    """
    return _obtain_source(key, read_verified)


def _stream(url: str, output_file: str, what: str) -> str:
    """Download ``url`` to ``output_file`` with a progress bar; return the response's Content-Type.

    Raises:
        requests.RequestException: a failed connection or a transfer cut off (pooch retries these).
        CannotMake: a malformed Content-Length, or a transfer too slow to finish.
    """
    import requests
    import urllib3
    from tqdm import tqdm  # plain text bar: tqdm.auto warns in Jupyter without ipywidgets

    start = time.monotonic()
    with requests.get(url, stream=True, timeout=(15, 60)) as response:
        response.raise_for_status()
        length = response.headers.get("Content-Length")
        if length is not None and not length.strip().isdigit():
            raise CannotMake(f"the server sent a malformed Content-Length header ({length!r})")
        length = None if length is None else int(length)
        cut_off = f"the transfer was cut off after {{:,}} of {length or 0:,} bytes"
        bar = tqdm(total=length, unit="B", unit_scale=True, desc=f"Downloading {what}", mininterval=1.0)
        with open(output_file, "wb") as out, bar:
            while True:
                try:
                    chunk = response.raw.read1(1 << 20, decode_content=True)
                except (urllib3.exceptions.HTTPError, OSError) as error:
                    cut = length and response.raw.tell() < length
                    broke = cut_off.format(response.raw.tell()) if cut else f"the connection broke: {error}"
                    raise requests.ConnectionError(broke) from error
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
                elapsed, received = time.monotonic() - start, response.raw.tell()
                if elapsed > DOWNLOAD_DEADLINE_S or (elapsed > SLOW_GRACE_S and received < MIN_BYTES_PER_S * elapsed):
                    raise CannotMake(
                        f"the server sent only {received:,} bytes in {elapsed:.0f} s, too slow to finish "
                        "(nothing was kept; try again later)"
                    )
        return response.headers.get("Content-Type", "")


def downloader_for(source: Source) -> Callable[[Path], None] | None:
    """Return a ``make`` for ``obtain`` that downloads ``source`` verified by its published checksum (None: no URL)."""
    if source.url is None:
        return None
    url, checksum, what = source.url, source.published, source.description

    def download(target: Path) -> None:
        import requests

        with warnings.catch_warnings():  # pooch imports tqdm.auto, which warns in Jupyter without ipywidgets
            warnings.filterwarnings("ignore", message="IProgress not found")
            import pooch
        pooch.get_logger().setLevel("WARNING")  # its "Downloading ... to <path>" line would show machine paths
        sent_types, name = [], target.name
        with staging(name) as folder:
            fetcher = pooch.create(folder, "", registry={name: checksum}, urls={name: url}, retry_if_failed=1)
            try:
                fetched = fetcher.fetch(name, downloader=lambda url, out, _: sent_types.append(_stream(url, out, what)))
            except requests.RequestException as error:
                raise CannotMake(f"downloading it from {url} failed ({error})") from error
            except ValueError as error:  # pooch: the downloaded file's hash differs
                html = " The server sent an HTML page, not the file." if "html" in "".join(sent_types) else ""
                raise ChecksumError(
                    f"The download of {what} from {url} does not match its published checksum {checksum}; "
                    f"nothing was kept.{html} The source may have changed or the transfer was corrupted: try again later, "
                    "or use a verified copy through DLS_DATA_DIR."
                ) from error
            move_into_place(Path(fetched), target)

    return download
