"""Shared fixtures: the offline mirror, an isolated cache, a misbehaving HTTP server, a fake file system, IMDB once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

import utils
from course.results import Row
from utils import config

# The mirror as the project resolves it (DLS_DATA_DIR, relative to the project root), else the
# shared folder beside the project: tests that need real data run whenever either is there.
MIRROR = config.mirror_dir() or (config.PROJECT_ROOT.parent / "shared" / "data").resolve()
HAVE_MIRROR = (MIRROR / "mnist.npz").is_file()
needs_mirror = pytest.mark.skipif(not HAVE_MIRROR, reason="offline data mirror missing (DLS_DATA_DIR, ../shared/data)")


def row(name: str, seconds: float, backend: str = "tensorflow", **fields) -> Row:
    """A summary row of ``make run``: full mode, ok, 900 MB, test_accuracy 0.98 (the lecture's 0.978)."""
    acc = {"test_accuracy": 0.98}
    return Row(name, backend, "full", "ok", seconds, 900, acc, {"test_accuracy": 0.978}, "test_accuracy", **fields)


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


@pytest.fixture
def own_mirror(cache, tmp_path, monkeypatch) -> Path:
    """An empty folder of this test's own as DLS_DATA_DIR, and an empty cache."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    monkeypatch.setenv("DLS_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def imdb_mirror():
    """``utils.load_imdb(num_words=10000)`` from the mirror, loaded once per test run (skips without the mirror)."""
    if not HAVE_MIRROR:
        pytest.skip("offline data mirror not available")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLS_DATA_DIR", str(MIRROR))
        return utils.load_imdb(num_words=10000)


def _trickle(body: bytes):
    for start in range(0, len(body), 10):
        time.sleep(0.05)
        yield body[start : start + 10]


@pytest.fixture
def serve(httpserver):
    """``serve(path, body, mode="ok")`` -> URL: the local server (pytest-httpserver) answers ``path`` in ``mode``.

    Modes: "ok"; "truncate" (announces the full Content-Length, sends half, closes); "html" (200
    with an HTML page); "bad_length" (a malformed Content-Length); "trickle" (10 bytes every 50 ms);
    "fail_once" (503, then the file); "missing" (404). Calling it again for a path changes its body and mode.
    """
    files: dict[str, tuple[bytes, str]] = {}

    def handler(request: Request) -> Response:
        body, mode = files[request.path]
        if mode == "missing":
            return Response("not here", status=404)
        if mode == "fail_once" and not any(logged.path == request.path for logged, _ in httpserver.log):
            return Response("busy", status=503)
        if mode == "html":
            return Response("<html><h1>Service unavailable</h1></html>", content_type="text/html")
        chunks = {"truncate": [body[: len(body) // 2]], "trickle": _trickle(body)}.get(mode, [body])
        length = "12abc" if mode == "bad_length" else str(len(body))
        return Response(chunks, headers={"Content-Length": length}, content_type="application/octet-stream")

    def add(path: str, body: bytes, mode: str = "ok") -> str:
        if path not in files:
            httpserver.expect_request(path).respond_with_handler(handler)
        files[path] = (body, mode)
        return httpserver.url_for(path)

    return add


@pytest.fixture
def fake_fs(fs):
    """pyfakefs's file system, seen by an ordinary user: chmod and a full disk (``fs.set_disk_usage``) fault as for
    students, even on CI, which runs as root, for whom chmod stops no read."""
    from pyfakefs.helpers import reset_ids, set_gid, set_uid

    set_uid(1)
    set_gid(1)
    yield fs
    reset_ids()
