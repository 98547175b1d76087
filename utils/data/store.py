"""Finding, verifying and fetching files: the one lookup every loader goes through.

``obtain(name, what, read, make)`` looks for ``name`` in the read-only mirror ``DLS_DATA_DIR``,
then in the download cache (``data/``, or ``DLS_CACHE_DIR``), and otherwise has ``make`` create
it in the cache (a download through pooch, MNIST from OpenML, or the cats-vs-dogs set cut from
its archive). ``read`` verifies a copy and loads it from the bytes it verified; a copy that fails
is reported with the fix for where it lies, never used and never silently replaced. Every
operating-system error becomes a ``DataAccessError`` naming the path and the fix.

Whatever ``make`` writes is put together in a staging folder in the cache named after the host
and process that write it, and moved into place only once complete and verified; the next
lookup removes a staging folder whose process is dead.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import socket
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

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

# Downloads: requests' timeouts apply to each read, so a server that trickles bytes needs bounds on
# the whole transfer: an overall deadline, and a lowest average rate after a grace period.
CONNECT_TIMEOUT_S = 15
READ_TIMEOUT_S = 60
DOWNLOAD_DEADLINE_S = 3 * 3600
SLOW_GRACE_S = 60
MIN_BYTES_PER_S = 20_000
DOWNLOAD_RETRIES = 1  # pooch retries a failed connection or a checksum mismatch this often
CHUNK_BYTES = 1 << 20

FILE_MODE, FOLDER_MODE = 0o644, 0o755  # what the cache holds is shareable (e.g. as DLS_DATA_DIR)
STAGING_SUFFIX = ".partial"


class DataError(RuntimeError):
    """A data set or weights file could not be provided."""


class DataUnavailableError(DataError):
    """No local copy exists and none can be made (offline, source gone).

    Attributes:
        looked_in: the places searched, as shown in the message.
        reason: why no copy could be made, as a phrase.
    """

    def __init__(self, message: str, *, looked_in: Iterable[str] = (), reason: str = ""):
        super().__init__(message)
        self.looked_in = list(looked_in)
        self.reason = reason or message


class ChecksumError(DataError):
    """A copy is not what it should be: damaged, truncated, or tampered with."""


class DataAccessError(DataError):
    """A file or folder cannot be read or written: permissions, a full disk, a file in a folder's place."""


class Invalid(Exception):
    """Raised by a ``read`` function: this copy is not the expected data (the message says why)."""


class CannotMake(Exception):
    """Raised by a ``make`` function: no copy can be made here (the message says why, as a phrase)."""


# --------------------------------------------------------------------------- checksums


def _import_pooch():
    with warnings.catch_warnings():  # pooch imports tqdm.auto, which warns in Jupyter without ipywidgets
        warnings.filterwarnings("ignore", message="IProgress not found")
        import pooch
    pooch.get_logger().setLevel("WARNING")  # its "Downloading ... to <path>" line would show machine paths
    return pooch


def _mismatch(checksums: Iterable[str]) -> Invalid:
    return Invalid(f"its checksum matches none of {', '.join(checksums)}: it is damaged or has been changed")


def verify_file(path: Path, checksums: Iterable[str]) -> Path:
    """Return ``path`` when its content matches one of ``checksums`` (``"algorithm:hex"``), for files loaded by path.

    Raises:
        Invalid: no checksum matches. OSError: unreadable.
    """
    file_hash = _import_pooch().file_hash
    if not any(file_hash(str(path), alg) == value for alg, value in (c.split(":", 1) for c in checksums)):
        raise _mismatch(checksums)
    return path


def read_verified(path: Path, checksums: Iterable[str]) -> bytes:
    """Read ``path`` once and return its bytes if they match one of ``checksums``.

    The caller loads these very bytes, so a file swapped after the check is never loaded.

    Raises:
        Invalid: the bytes match no checksum. OSError: the file cannot be read.
    """
    payload = path.read_bytes()
    if not any(hashlib.new(alg, payload).hexdigest() == value for alg, value in (c.split(":", 1) for c in checksums)):
        raise _mismatch(checksums)
    return payload


# --------------------------------------------------------------------------- operating-system errors


def describe_os_error(error: OSError, place: str, what: str) -> str:
    """Return one message for an ``OSError`` met while reading or writing ``what`` in ``place`` (mirror or cache)."""
    where = config.display_path(error.filename) if error.filename else "a data folder"
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"The disk is full: {what} could not be written to {where}. Nothing half-written was kept. "
            "Fix: free some space on that disk, or set DLS_CACHE_DIR to a folder on a disk with room."
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"Permission denied on {where} while providing {what}. {ACCESS_FIX[place]}"
    if error.errno == errno.EROFS:
        return (
            f"{where} is on a read-only file system, so {what} cannot be stored there. "
            "Fix: set DLS_CACHE_DIR to a writable folder."
        )
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return (
            f"{where} is a file where a folder is needed (for {what}). "
            "Fix: move that file away, or set DLS_CACHE_DIR to another folder."
        )
    if error.errno == errno.EISDIR:
        return f"{where} is a folder where a file is needed (for {what}). Fix: move that folder away."
    return f"{what} could not be read or written at {where}: {error.strerror or error}. {ACCESS_FIX[place]}"


@contextmanager
def os_errors(place: str, what: str) -> Iterator[None]:
    """Turn any ``OSError`` raised inside into a ``DataAccessError`` with the path and the fix."""
    try:
        yield
    except OSError as error:
        raise DataAccessError(describe_os_error(error, place, what)) from error


# --------------------------------------------------------------------------- staging and moving into place


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) readable by everyone if it does not exist; return it."""
    missing = [path for path in [folder, *folder.parents] if not path.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, FOLDER_MODE)
    return folder


@contextmanager
def staging(name: str) -> Iterator[Path]:
    """Yield an empty folder in the cache to build ``name`` in (``.<name>.<host>-<pid>.partial``); removed on exit."""
    owner = f"{socket.gethostname()}-{os.getpid()}"
    folder = ensure_folder(config.cache_dir()) / f".{name.replace('/', '_')}.{owner}{STAGING_SUFFIX}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_into_place(built: Path, target: Path) -> None:
    """Move the finished ``built`` (a file or folder in a staging folder) to ``target``: files 0644, folders 0755.

    A folder whose target already exists (another process finished first) is left to that
    process's copy, which the caller then verifies.
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
    """Remove the staging folders that killed processes of this host left in ``cache``; return them.

    Best effort: a folder that cannot be removed stays, and nothing is raised.
    """
    import psutil

    owner = re.compile(rf"\..+\.{re.escape(socket.gethostname())}-(\d+){re.escape(STAGING_SUFFIX)}")
    removed = []
    for folder in cache.glob(f".*{STAGING_SUFFIX}"):
        match = owner.fullmatch(folder.name)
        if match and not psutil.pid_exists(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# --------------------------------------------------------------------------- the lookup


def _read(read: Callable[[Path], T], path: Path, place: str, what: str) -> T:
    try:
        return read(path)
    except Invalid as problem:
        raise ChecksumError(
            f"{config.display_path(path)} ({what}) is not usable: {problem}. {DAMAGED_FIX[place]}"
        ) from None


def obtain(name: str, what: str, read: Callable[[Path], T], make: Callable[[Path], None] | None = None) -> T:
    """Find ``name`` in the mirror, then the cache, else make it in the cache; return ``read(path)``.

    Args:
        name: the path below the mirror or the cache, e.g. ``"imdb.npz"``.
        what: what it is, for messages (e.g. "IMDB movie reviews").
        read: verifies a copy and returns what the loader needs (its bytes, arrays, the path);
            raises ``Invalid`` when the copy is not the expected data.
        make: creates ``name`` at the path it is given, in the cache, via ``staging`` and
            ``move_into_place``; raises ``CannotMake`` (a reason, completed here) when it cannot.
            None: only a local copy can provide it.

    Returns:
        What ``read`` returns for the first copy found (or made).
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
                "Fix: correct DLS_DATA_DIR (a relative path counts from the project root), or unset it "
                "to use data/ and downloads."
            )
    sweep_dead_staging(cache)
    looked_in = []
    for place, folder in ([(MIRROR, mirror)] if mirror else []) + [(CACHE, cache)]:
        path = folder / name
        looked_in.append(config.display_path(path))
        with os_errors(place, what):  # in Python 3.11 exists() raises, for one, on a folder that cannot be searched
            if path.exists():
                return _read(read, path, place, what)

    def unavailable(reason: str) -> DataUnavailableError:
        return DataUnavailableError(
            f"{what} is not available: no copy in {', '.join(looked_in)}, and {reason}. {FETCH_FIX}",
            looked_in=looked_in,
            reason=reason,
        )

    if make is None:
        raise unavailable("it has no download source (only the mirror offers it)")
    with os_errors(CACHE, what):
        try:
            make(cache / name)
        except CannotMake as error:
            raise unavailable(str(error)) from error
        return _read(read, cache / name, CACHE, what)


def _obtain_source(key: str, read: Callable[[Path, tuple[str, ...]], T]) -> T:
    if key not in SOURCES:
        raise ValueError(f"Unknown data source {key!r}; known: {', '.join(sorted(SOURCES))}.")
    source = SOURCES[key]
    return obtain(
        source.filename, source.description, lambda path: read(path, source.checksums), downloader_for(source)
    )


def fetch(key: str) -> Path:
    """Return the path of a verified local copy of the registry's file ``key`` (see ``SOURCES``).

    For files loaded by path (weights, the cats-vs-dogs archive). Looks in the mirror, then the
    cache, then downloads into the cache.

    Raises:
        ValueError: ``key`` is not a known source.
        ChecksumError, DataUnavailableError, DataAccessError: see ``obtain``.
    """
    return _obtain_source(key, verify_file)


def fetch_bytes(key: str) -> bytes:
    """Return the verified bytes of the registry's file ``key``: read once, checked, and loaded from memory.

    Raises:
        ValueError, ChecksumError, DataUnavailableError, DataAccessError: as ``fetch``.
    """
    return _obtain_source(key, lambda path, checksums: read_verified(path, checksums))


# --------------------------------------------------------------------------- downloading (pooch)


def _content_length(value: str | None) -> int | None:
    if value is not None and not value.strip().isdigit():
        raise CannotMake(f"the server sent a malformed Content-Length header ({value!r})")
    return None if value is None else int(value)


def _stream(url: str, output_file: str, what: str) -> str:
    """Download ``url`` to ``output_file`` with a progress bar; return the response's Content-Type.

    What pooch's HTTPDownloader lacks: an overall deadline and a lowest average rate (a trickling
    server passes every per-read timeout), and a check of Content-Length against what arrived.

    Raises:
        requests.RequestException: a failed connection or a transfer cut off (pooch retries these).
        CannotMake: a malformed Content-Length, or a transfer too slow to finish.
    """
    import requests
    import urllib3
    from tqdm import tqdm  # plain text bar: tqdm.auto warns in Jupyter without ipywidgets

    start = time.monotonic()
    with requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) as response:
        response.raise_for_status()
        length = _content_length(response.headers.get("Content-Length"))
        cut_off = f"the transfer was cut off after {{:,}} of {length or 0:,} bytes"
        bar = tqdm(total=length, unit="B", unit_scale=True, desc=f"Downloading {what}", mininterval=1.0)
        with open(output_file, "wb") as out, bar:
            while True:
                try:
                    chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
                except (urllib3.exceptions.HTTPError, OSError) as error:
                    received = response.raw.tell()
                    if length is not None and received < length:
                        raise requests.ConnectionError(cut_off.format(received)) from error
                    raise requests.ConnectionError(f"the connection broke: {error}") from error
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
        if length is not None and response.raw.tell() != length:
            raise requests.ConnectionError(cut_off.format(response.raw.tell()))
        return response.headers.get("Content-Type", "")


def downloader_for(source: Source) -> Callable[[Path], None] | None:
    """Return a ``make`` for ``obtain`` that downloads ``source`` with pooch, verified by its published checksum.

    Returns None for a source without a URL (only the mirror or the cache can provide it).
    """
    if source.url is None:
        return None
    url, checksum, what = source.url, source.published, source.description

    def download(target: Path) -> None:
        import requests

        pooch = _import_pooch()
        content_types = []
        with staging(target.name) as folder:
            fetcher = pooch.create(
                folder, "", registry={target.name: checksum}, urls={target.name: url}, retry_if_failed=DOWNLOAD_RETRIES
            )
            try:
                fetched = fetcher.fetch(
                    target.name, downloader=lambda url, out, _: content_types.append(_stream(url, out, what))
                )
            except requests.RequestException as error:
                raise CannotMake(f"downloading it from {url} failed ({error})") from error
            except ValueError as error:  # pooch: the downloaded file's hash differs
                html = " The server sent an HTML page, not the file." if "html" in "".join(content_types) else ""
                raise ChecksumError(
                    f"The download of {what} from {url} does not match its published checksum {checksum}; "
                    f"nothing was kept.{html} The source may have changed or the transfer was corrupted: "
                    "try again later, or use a verified copy through DLS_DATA_DIR."
                ) from error
            move_into_place(Path(fetched), target)

    return download
