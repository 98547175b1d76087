"""Finding, verifying and fetching files: the one lookup every loader goes through.

``obtain(name, what, read, make)`` looks for ``name`` in this order:

1. the read-only mirror ``DLS_DATA_DIR`` (e.g. ``../shared/data``),
2. the download cache (``data/``, or ``DLS_CACHE_DIR``),
3. nowhere yet: ``make`` creates it in the cache (a download through pooch, the MNIST
   download from OpenML, or the cats-vs-dogs set cut from its archive).

``read`` verifies a copy and loads it from the same bytes it verified; a copy that fails is
reported with the fix for where it lies (the mirror is repaired or bypassed, the cache is
deleted and fetched again), never used and never silently replaced. Every operating-system
error (a file that cannot be read, a cache that cannot be written, a full disk) becomes a
``DataAccessError`` naming the path and the fix.

Whatever ``make`` writes is first put together in a private staging folder in the cache,
named after the process that writes it, and moved into place only once complete and
verified. A staging folder left by a killed process is removed by the next lookup.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from .. import config

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

# Downloads: pooch's timeout applies to each read, so a server that trickles bytes needs our own
# bounds on the whole transfer: an overall deadline, and a lowest average rate after a grace period.
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
    """No local copy exists and none can be made (offline, download refused, source gone).

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


def _check_algorithms(checksums: Iterable[str]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {}
    for checksum in checksums:
        algorithm, value = checksum.split(":", 1)
        wanted.setdefault(algorithm, set()).add(value)
    return wanted


def _hashes(chunks: Iterable[bytes], algorithms: Iterable[str]) -> dict[str, str]:
    digests = {name: hashlib.new(name) for name in algorithms}
    for chunk in chunks:
        for digest in digests.values():
            digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def matches(chunks: Iterable[bytes], checksums: Iterable[str]) -> bool:
    """Return whether the bytes (given as chunks) match any of ``"algorithm:hex"`` ``checksums``."""
    wanted = _check_algorithms(checksums)
    found = _hashes(chunks, wanted)
    return any(found[name] in values for name, values in wanted.items())


def _mismatch(checksums: Iterable[str]) -> Invalid:
    return Invalid(f"its checksum matches none of {', '.join(checksums)}: it is damaged or has been changed")


def read_verified(path: Path, checksums: Iterable[str]) -> bytes:
    """Read ``path`` once and return its bytes if they match one of ``checksums``.

    The caller loads these very bytes, so a file swapped after the check is never loaded.

    Raises:
        Invalid: the bytes match no checksum. OSError: the file cannot be read.
    """
    payload = path.read_bytes()
    if not matches([payload], checksums):
        raise _mismatch(checksums)
    return payload


def open_verified(path: Path, checksums: Iterable[str]) -> BinaryIO:
    """Open ``path``, hash it through that handle, and return the handle rewound (for large files).

    Raises:
        Invalid: the content matches no checksum (the handle is closed). OSError: unreadable.
    """
    handle = open(path, "rb")
    try:
        if not matches(iter(lambda: handle.read(CHUNK_BYTES), b""), checksums):
            raise _mismatch(checksums)
        handle.seek(0)
        return handle
    except BaseException:
        handle.close()
        raise


def verify_file(path: Path, checksums: Iterable[str]) -> Path:
    """Return ``path`` when its content matches one of ``checksums`` (for files loaded by path).

    Raises:
        Invalid: no checksum matches. OSError: unreadable.
    """
    open_verified(path, checksums).close()
    return path


# --------------------------------------------------------------------------- operating-system errors


def describe_os_error(error: OSError, place: str, what: str) -> str:
    """Return one message for an ``OSError`` met while reading or writing ``what`` in ``place``."""
    where = config.display_path(error.filename) if error.filename else "a data folder"
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (
            f"The disk is full: {what} could not be written to {where}. Nothing half-written was kept. "
            "Fix: free some space on that disk, or set DLS_CACHE_DIR to a folder on a disk with room."
        )
    if place == MIRROR:
        fix = (
            "Fix: ask whoever keeps the mirror to make it readable (files 0644, folders 0755), "
            "or unset DLS_DATA_DIR to use data/ and downloads instead."
        )
    else:
        fix = (
            "Fix: make it readable and writable for you (e.g. `chmod -R u+rwX data`), "
            "or set DLS_CACHE_DIR to a folder of your own."
        )
    if code in (errno.EACCES, errno.EPERM):
        return f"Permission denied on {where} while providing {what}. {fix}"
    if code == errno.EROFS:
        return (
            f"{where} is on a read-only file system, so {what} cannot be stored there. "
            "Fix: set DLS_CACHE_DIR to a writable folder."
        )
    if code in (errno.EEXIST, errno.ENOTDIR):
        return (
            f"{where} is a file where a folder is needed (for {what}). "
            "Fix: move that file away, or set DLS_CACHE_DIR to another folder."
        )
    if code == errno.EISDIR:
        return f"{where} is a folder where a file is needed (for {what}). Fix: move that folder away."
    return f"{what} could not be read or written at {where}: {error.strerror or error}. {fix}"


@contextmanager
def os_errors(place: str, what: str) -> Iterator[None]:
    """Turn any ``OSError`` raised inside into a ``DataAccessError`` with the path and the fix."""
    try:
        yield
    except OSError as error:
        raise DataAccessError(describe_os_error(error, place, what)) from error


# --------------------------------------------------------------------------- staging and publishing


def _owner() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) readable by everyone if it does not exist; return it."""
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.is_dir():
            break
        missing.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, FOLDER_MODE)
    return folder


@contextmanager
def staging(name: str) -> Iterator[Path]:
    """Yield an empty private folder in the cache to build ``name`` in; it is removed on exit.

    Its name says which host and process own it (``.<name>.<host>-<pid>.partial``), so a later
    lookup can tell a folder left by a killed process from one still being written.
    """
    cache = ensure_folder(config.cache_dir())
    folder = cache / f".{name.replace('/', '_')}.{_owner()}{STAGING_SUFFIX}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _share(path: Path) -> None:
    """Make a file 0644, or a folder 0755 with everything below it likewise."""
    if path.is_dir():
        for folder, subfolders, files in os.walk(path):
            os.chmod(folder, FOLDER_MODE)
            for file in files:
                os.chmod(os.path.join(folder, file), FILE_MODE)
    else:
        os.chmod(path, FILE_MODE)


def publish(built: Path, target: Path) -> None:
    """Move the finished ``built`` (a file or folder in a staging folder) to ``target``, shareable.

    A folder whose target already exists (another process finished first) is left to that
    process's copy, which the caller then verifies.
    """
    _share(built)
    ensure_folder(target.parent)
    try:
        os.replace(built, target)
    except OSError as error:
        if not (built.is_dir() and target.is_dir() and error.errno in (errno.EEXIST, errno.ENOTEMPTY)):
            raise


def sweep_leftovers(cache: Path) -> list[Path]:
    """Remove staging folders that processes on this host left when they were killed; return them.

    Also removes the hidden ``.*.part`` files that earlier versions of this code left behind.
    Best effort: a folder that cannot be removed stays, and nothing is raised.
    """
    import psutil

    removed = []
    host = socket.gethostname()
    try:
        entries = list(os.scandir(cache))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        if name.endswith(STAGING_SUFFIX):
            owner = name[: -len(STAGING_SUFFIX)].rsplit(".", 1)[-1]
            owner_host, _, pid = owner.rpartition("-")
            if owner_host != host or not pid.isdigit() or psutil.pid_exists(int(pid)):
                continue
        elif not (name.endswith(".part") and entry.is_file(follow_symlinks=False)):
            continue
        path = Path(entry.path)
        try:
            shutil.rmtree(path) if entry.is_dir(follow_symlinks=False) else path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


# --------------------------------------------------------------------------- the lookup


def exists(path: Path) -> bool:
    """Return whether ``path`` exists (a broken link counts: reading it then says what is wrong).

    Unlike ``Path.exists``, a folder that cannot be searched raises instead of hiding the file.

    Raises:
        OSError: the path cannot be looked at (e.g. permission denied on a folder above it).
    """
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _mirror_exists(mirror: Path) -> bool:
    with os_errors(MIRROR, "the mirror (DLS_DATA_DIR)"):
        return exists(mirror) and mirror.is_dir()


def obtain(
    name: str,
    what: str,
    read: Callable[[Path], T],
    make: Callable[[Path], None] | None = None,
    *,
    allow_download: bool = True,
) -> T:
    """Find ``name`` in the mirror, then the cache, else make it in the cache; return ``read(path)``.

    Args:
        name: the path below the mirror or the cache, e.g. ``"imdb.npz"``.
        what: what it is, for messages (e.g. "IMDB movie reviews").
        read: verifies a copy and returns what the loader needs (its bytes, arrays, the path);
            raises ``Invalid`` when the copy is not the expected data.
        make: creates ``name`` at the path it is given, in the cache, via ``staging``/``publish``;
            raises ``CannotMake`` (a reason, completed here) when it cannot. None:
            only a local copy can provide it.
        allow_download: False makes a missing file an error instead of calling ``make``.

    Returns:
        What ``read`` returns for the first copy found (or made).
    Raises:
        ChecksumError: a copy is damaged or tampered with (with the fix for where it lies).
        DataUnavailableError: no copy, and ``make`` is None, not allowed, or failed.
        DataAccessError: a file or folder cannot be read or written (permissions, full disk...).
    """
    mirror, cache = config.mirror_dir(), config.cache_dir()
    if mirror is not None and not _mirror_exists(mirror):
        raise DataUnavailableError(
            f"DLS_DATA_DIR is set to {config.display_path(mirror)}, which does not exist or is not a folder. "
            "Fix: correct DLS_DATA_DIR (a relative path counts from the project root), or unset it "
            "to use data/ and downloads."
        )
    sweep_leftovers(cache)
    looked_in = []
    for place, folder in ([(MIRROR, mirror)] if mirror else []) + [(CACHE, cache)]:
        path = folder / name
        looked_in.append(config.display_path(path))
        with os_errors(place, what):
            if not exists(path):
                continue
            try:
                return read(path)
            except Invalid as problem:
                raise ChecksumError(
                    f"{config.display_path(path)} ({what}) is not usable: {problem}. {DAMAGED_FIX[place]}"
                ) from None

    def unavailable(reason: str) -> DataUnavailableError:
        return DataUnavailableError(
            f"{what} is not available: no copy in {', '.join(looked_in)}, and {reason}. {FETCH_FIX}",
            looked_in=looked_in,
            reason=reason,
        )

    if make is None:
        raise unavailable("it has no download source (only the mirror offers it)")
    if not allow_download:
        raise unavailable("downloading was not allowed")
    target = cache / name
    with os_errors(CACHE, what):
        try:
            make(target)
        except CannotMake as error:
            raise unavailable(str(error)) from error
        try:
            return read(target)
        except Invalid as problem:
            raise ChecksumError(
                f"{config.display_path(target)} ({what}) is not usable: {problem}. {DAMAGED_FIX[CACHE]}"
            ) from None


# --------------------------------------------------------------------------- downloading (pooch)


def _content_length(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit():
        raise CannotMake(f"the server sent a malformed Content-Length header ({value!r})")
    return int(value)


class _Downloader:
    """A pooch downloader: requests with per-read timeouts, an overall deadline, a moving progress bar.

    Follows pooch's downloader protocol (``downloader(url, output_file, pooch)``). Network faults
    are raised as requests exceptions, which pooch retries; a deadline or a malformed response
    as ``CannotMake``, which it does not. The finished file is made 0644 before pooch
    verifies it and moves it into place (pooch's temporary files are private).
    """

    def __init__(self, what: str):
        self.what = what
        self.content_type = ""

    def __call__(self, url: str, output_file: str, pooch) -> None:
        import requests
        import urllib3
        from tqdm import tqdm  # plain text bar: tqdm.auto warns in Jupyter without ipywidgets

        start = time.monotonic()
        response = requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        with response:
            response.raise_for_status()
            self.content_type = response.headers.get("Content-Type", "")
            length = _content_length(response.headers.get("Content-Length"))
            with (
                open(output_file, "wb") as out,
                tqdm(
                    total=length,
                    unit="B",
                    unit_scale=True,
                    desc=f"Downloading {self.what}",
                    mininterval=1.0,
                ) as bar,
            ):
                while True:
                    try:
                        chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
                    except (urllib3.exceptions.HTTPError, OSError) as error:
                        received = response.raw.tell()
                        if length is not None and received < length:
                            raise requests.ConnectionError(
                                f"the transfer was cut off after {received:,} of {length:,} bytes"
                            ) from error
                        raise requests.ConnectionError(f"the connection broke: {error}") from error
                    if not chunk:
                        break
                    out.write(chunk)
                    bar.update(len(chunk))
                    elapsed = time.monotonic() - start
                    received = response.raw.tell()
                    if elapsed > DOWNLOAD_DEADLINE_S or (
                        elapsed > SLOW_GRACE_S and received < MIN_BYTES_PER_S * elapsed
                    ):
                        raise CannotMake(
                            f"the server sent only {received:,} bytes in {elapsed:.0f} s, too slow to finish "
                            f"(nothing was kept; try again later)"
                        )
            received = response.raw.tell()
            if length is not None and received != length:
                raise requests.ConnectionError(f"the transfer was cut off after {received:,} of {length:,} bytes")
        os.chmod(output_file, FILE_MODE)


def downloader_for(url: str, checksum: str, what: str) -> Callable[[Path], None]:
    """Return a ``make`` for ``obtain`` that downloads ``url`` with pooch, verified by ``checksum``."""

    def download(target: Path) -> None:
        import requests

        with warnings.catch_warnings():
            # pooch imports tqdm.auto, which warns in Jupyter without ipywidgets; our own bar is plain tqdm
            warnings.filterwarnings("ignore", message="IProgress not found")
            import pooch
        pooch.get_logger().setLevel("WARNING")  # its "Downloading ... to <path>" line would show machine paths
        with staging(target.name) as folder:
            fetcher = pooch.create(
                path=folder,
                base_url="",
                registry={target.name: checksum},
                urls={target.name: url},
                retry_if_failed=DOWNLOAD_RETRIES,
            )
            downloader = _Downloader(what)
            try:
                fetched = fetcher.fetch(target.name, downloader=downloader)
            except requests.RequestException as error:
                raise CannotMake(f"downloading it from {url} failed ({error})") from error
            except ValueError as error:  # pooch: the downloaded file's hash differs
                html = " The server sent an HTML page, not the file." if "html" in downloader.content_type else ""
                raise ChecksumError(
                    f"The download of {what} from {url} does not match its published checksum {checksum}; "
                    f"nothing was kept.{html} The source may have changed or the transfer was corrupted: "
                    "try again later, or use a verified copy through DLS_DATA_DIR."
                ) from error
            publish(Path(fetched), target)

    return download
