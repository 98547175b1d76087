"""The scripts a page or deck needs, copied next to it from installed packages: no CDN, no network.

MathJax 2 comes from ``jupyter-server-mathjax`` with the course's settings (``assets/mathjax-local.js``); reveal.js,
require.js and jQuery from npm, pinned by ``assets/package*.json``, installed with ``npm ci`` into ``build/npm/``.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

from .lessons import BUILD

ASSETS = Path(__file__).resolve().parent / "assets"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe,local/dls"
NPM_DIR = BUILD / "npm"

# What a deck loads from the npm packages: {source under node_modules: destination under the assets folder}.
_REVEAL = ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "dist/theme/fonts/source-sans-pro"]
_REVEAL_FILES = {f"reveal.js/{path}": f"reveal.js/{path}" for path in [*_REVEAL, "plugin/notes/notes.js", "LICENSE"]}
_REVEAL_FILES |= {"requirejs/require.js": "require.js", "jquery/dist/jquery.min.js": "jquery.min.js"}


class AssetsUnavailable(RuntimeError):
    """A page's scripts cannot be had here (npm missing, or its install failed); the message says what to do."""


def mathjax_url(assets_url: str) -> str:
    """Return the URL of MathJax (with the course's settings) for a page that reaches the assets folder at ``assets_url``."""
    return f"{assets_url}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"


def copy_mathjax(assets: Path) -> None:
    """Copy MathJax (without its unused SVG fonts) and the course's settings into ``assets/mathjax``."""
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    target = assets / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=lambda folder, names: ["SVG"] if Path(folder).name == "output" else [])
    (target / "config" / "local").mkdir(exist_ok=True)
    shutil.copyfile(ASSETS / "mathjax-local.js", target / "config" / "local" / "dls.js")


def copy_reveal(assets: Path) -> None:
    """Copy reveal.js, require.js and jQuery from the pinned npm packages (``npm ci`` unless current) into ``assets``.

    Raises:
        AssetsUnavailable: npm is not installed, or ``npm ci`` failed; nothing is copied then.
    """
    modules, manifest = NPM_DIR / "node_modules", [ASSETS / "package.json", ASSETS / "package-lock.json"]
    current = all((NPM_DIR / f.name).is_file() and filecmp.cmp(f, NPM_DIR / f.name, shallow=False) for f in manifest)
    if not (current and all((modules / source).exists() for source in _REVEAL_FILES)):
        npm = shutil.which("npm")
        if npm is None:
            raise AssetsUnavailable(
                "the slides need reveal.js from the npm registry, and npm is not installed: install Node.js with npm "
                "(Debian/Ubuntu: sudo apt-get install nodejs npm), then run make slides again"
            )
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        for file in manifest:
            shutil.copyfile(file, NPM_DIR / file.name)
        command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
        done = subprocess.run(command, cwd=NPM_DIR, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssetsUnavailable(f"npm ci in {NPM_DIR} failed:\n{done.stdout}{done.stderr}")
    for source, destination in _REVEAL_FILES.items():
        (assets / destination).parent.mkdir(parents=True, exist_ok=True)
        if (modules / source).is_dir():
            shutil.copytree(modules / source, assets / destination, dirs_exist_ok=True)
        else:
            shutil.copyfile(modules / source, assets / destination)
