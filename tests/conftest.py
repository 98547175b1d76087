"""Shared fixtures: where the offline mirror is, an isolated cache, one local HTTP server, OS faults."""

from __future__ import annotations

import builtins
import collections
import errno
import http.server
import io
import os
import threading
import time
from pathlib import Path

import pytest

from utils import config

# The mirror as the project resolves it (DLS_DATA_DIR, relative to the project root), else the
# shared folder beside the project: tests that need real data run whenever either is there.
MIRROR = config.mirror_dir() or (config.PROJECT_ROOT.parent / "shared" / "data").resolve()
HAVE_MIRROR = (MIRROR / "mnist.npz").is_file()
needs_mirror = pytest.mark.skipif(
    not HAVE_MIRROR, reason="offline data mirror (DLS_DATA_DIR or ../shared/data) not available"
)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty download cache, and no mirror: every file must come from the (fake) network."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DLS_CACHE_DIR", str(folder))
    monkeypatch.delenv("DLS_DATA_DIR", raising=False)
    return folder


@pytest.fixture
def mirror(cache, monkeypatch) -> Path:
    """The real offline mirror as DLS_DATA_DIR (skips when it is not there), and an empty cache."""
    if not HAVE_MIRROR:
        pytest.skip("offline data mirror not available")
    monkeypatch.setenv("DLS_DATA_DIR", str(MIRROR))
    return MIRROR


# --------------------------------------------------------------------------- the local HTTP server


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` ({path: bytes}), each the way ``server.modes[path]`` says.

    Modes: "ok" (default); "truncate" (announces the full length, sends half, closes);
    "html" (status 200 with an HTML error page instead of the file); "bad_length" (a malformed
    Content-Length); "trickle" (a few bytes every 50 ms); "fail_once" (503 on the first request).
    """

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the http.server API
        server = self.server
        server.hits[self.path] += 1
        body, mode = server.files.get(self.path), server.modes.get(self.path, "ok")
        if body is None or (mode == "fail_once" and server.hits[self.path] == 1):
            self.send_error(404 if body is None else 503)
            return
        if mode == "html":
            body = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if mode == "html" else "application/octet-stream")
        self.send_header("Content-Length", "12abc" if mode == "bad_length" else str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if mode == "truncate":
                self.wfile.write(body[: len(body) // 2])
            elif mode == "trickle":
                for start in range(0, len(body), 10):
                    self.wfile.write(body[start : start + 10])
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.wfile.write(body)
        except OSError:  # the client gave up
            pass
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A local HTTP server on 127.0.0.1 (see ``_Handler``); yields it, with ``.url`` and ``.serve()``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.block_on_close = False
    server.files, server.modes, server.hits = {}, {}, collections.Counter()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"

    def serve(path: str, body: bytes, mode: str = "ok") -> str:
        server.files[path], server.modes[path] = body, mode
        return server.url + path

    server.serve = serve
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- operating-system faults


class _FullDiskFile(io.FileIO):
    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.name)


@pytest.fixture
def os_fault(monkeypatch):
    """Inject an operating-system fault at a path: ``os_fault(path, kind)``.

    Kinds: "unreadable" (opening ``path`` or anything below it, listing it, or looking into it
    is denied), "full" (writing a file below ``path`` fails: no space left on the device) and
    "readonly" (creating a folder below ``path`` fails: read-only file system). The faults are
    injected rather than made with chmod because CI runs as root, for whom permissions do not
    stop a read.
    """
    rules: list[tuple[str, str]] = []
    real_open, real_stat, real_scandir, real_mkdir = builtins.open, os.stat, os.scandir, os.mkdir

    def under(path, kind: str, inclusive: bool) -> bool:
        if isinstance(path, int):  # a file descriptor
            return False
        text = os.path.abspath(os.fspath(path))
        return any(k == kind and ((inclusive and text == p) or text.startswith(p + os.sep)) for p, k in rules)

    def fail(code: int, path):
        return (
            OSError(code, os.strerror(code), os.fspath(path))
            if code != errno.EACCES
            else PermissionError(code, os.strerror(code), os.fspath(path))
        )

    def fake_open(file, mode="r", *args, **kwargs):
        if kwargs.get("opener"):  # tempfile's own way of opening: it names a folder, not the file
            return real_open(file, mode, *args, **kwargs)
        if under(file, "unreadable", inclusive=True):
            raise fail(errno.EACCES, file)
        if under(file, "full", inclusive=False) and any(c in mode for c in "wax"):
            real_open(file, mode, *args, **kwargs).close()  # the file is created; writing it fails
            return _FullDiskFile(file, "w")
        return real_open(file, mode, *args, **kwargs)

    def fake_stat(path, *args, **kwargs):
        if under(path, "unreadable", inclusive=False):
            raise fail(errno.EACCES, path)
        return real_stat(path, *args, **kwargs)

    def fake_scandir(path="."):
        if under(path, "unreadable", inclusive=True):
            raise fail(errno.EACCES, path)
        return real_scandir(path)

    def fake_mkdir(path, *args, **kwargs):
        if under(path, "readonly", inclusive=False):
            raise fail(errno.EROFS, path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "stat", fake_stat)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)

    def add(path, kind: str) -> None:
        rules.append((os.path.abspath(os.fspath(path)), kind))

    return add
