"""Shared fixtures: an isolated cache, the offline mirror (when present), a local HTTP server."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_mirror_env = os.environ.get("DLS_DATA_DIR", "")
MIRROR = Path(_mirror_env if _mirror_env else PROJECT_ROOT.parent / "shared" / "data")
if not MIRROR.is_absolute():
    MIRROR = (PROJECT_ROOT / MIRROR).resolve()
HAVE_MIRROR = (MIRROR / "mnist.npz").is_file()
needs_mirror = pytest.mark.skipif(not HAVE_MIRROR, reason="offline data mirror (DLS_DATA_DIR) not available")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty download cache, and no mirror: every file must come from the (fake) network."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DLS_CACHE_DIR", str(folder))
    monkeypatch.delenv("DLS_DATA_DIR", raising=False)
    return folder


@pytest.fixture
def mirror(monkeypatch) -> Path:
    """The real offline mirror as DLS_DATA_DIR (skips when it is not there), and an empty cache."""
    if not HAVE_MIRROR:
        pytest.skip("offline data mirror not available")
    monkeypatch.setenv("DLS_DATA_DIR", str(MIRROR))
    return MIRROR


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    truncate: set[str] = set()

    def do_GET(self):  # noqa: N802 - the http.server API
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # A "truncated" file announces its full length but the connection ends half-way.
        self.wfile.write(body[: len(body) // 2] if self.path in self.truncate else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A local HTTP server on 127.0.0.1 serving ``server.files`` ({path: bytes}); yields it."""
    handler = type("Handler", (_Handler,), {"files": {}, "truncate": set()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.files, server.truncate = handler.files, handler.truncate
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
