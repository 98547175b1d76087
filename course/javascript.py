"""The JavaScript a page or deck needs, copied next to it from installed packages: no CDN, no network.

- MathJax 2 from the ``jupyter-server-mathjax`` package (the copy Jupyter itself serves offline),
  with the course's settings as ``config/local/dls.js`` (``assets/mathjax-local.js``).
- reveal.js, require.js and jQuery (the three nbconvert's deck template loads) from the npm
  registry, pinned by ``assets/package.json`` and ``assets/package-lock.json`` and installed with
  ``npm ci`` into ``build/npm/``. This is the one step that needs Node.js; the site is built
  without it when it is missing (without the decks).
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
_REVEAL_FILES = {
    "reveal.js/dist/reveal.js": "reveal.js/dist/reveal.js",
    "reveal.js/dist/reveal.css": "reveal.js/dist/reveal.css",
    "reveal.js/dist/theme/white.css": "reveal.js/dist/theme/white.css",
    "reveal.js/dist/theme/fonts/source-sans-pro": "reveal.js/dist/theme/fonts/source-sans-pro",
    "reveal.js/plugin/notes/notes.js": "reveal.js/plugin/notes/notes.js",
    "reveal.js/LICENSE": "reveal.js/LICENSE",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}


class AssetsUnavailable(RuntimeError):
    """A page's scripts cannot be had here (npm missing, or its install failed); the message says what to do."""


def mathjax_url(assets_url: str) -> str:
    """Return the URL of MathJax (with the course's settings) for a page that reaches the assets folder at ``assets_url``."""
    return f"{assets_url}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"


def copy_mathjax(assets: Path) -> None:
    """Copy MathJax from the installed ``jupyter-server-mathjax`` into ``assets/mathjax``, with the course's settings.

    Its SVG fonts are left out: the package ships no SVG output to use them.
    """
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    target = assets / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=lambda folder, names: ["SVG"] if Path(folder).name == "output" else [])
    (target / "config" / "local").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "mathjax-local.js", target / "config" / "local" / "dls.js")


def _npm_packages() -> Path:
    """The pinned npm packages, installed with ``npm ci`` into ``build/npm`` unless already there: their node_modules.

    Raises:
        AssetsUnavailable: npm is not installed, or ``npm ci`` failed (its output is in the message).
    """
    modules = NPM_DIR / "node_modules"
    manifest = [ASSETS / "package.json", ASSETS / "package-lock.json"]
    current = modules.is_dir() and all(
        (NPM_DIR / f.name).is_file() and filecmp.cmp(f, NPM_DIR / f.name, shallow=False) for f in manifest
    )
    if current and all((modules / source).exists() for source in _REVEAL_FILES):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable(
            "the slides need reveal.js, which comes from the npm registry, and npm is not installed: "
            "install Node.js with npm (Debian/Ubuntu: sudo apt-get install nodejs npm), then run make slides again"
        )
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    for file in manifest:
        shutil.copyfile(file, NPM_DIR / file.name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=NPM_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise AssetsUnavailable(f"npm ci in {NPM_DIR} failed:\n{done.stdout}{done.stderr}")
    return modules


def copy_reveal(assets: Path) -> None:
    """Copy reveal.js, require.js and jQuery from the pinned npm packages into ``assets``.

    Raises:
        AssetsUnavailable: npm is not installed, or ``npm ci`` failed; nothing is copied then.
    """
    modules = _npm_packages()
    for source, destination in _REVEAL_FILES.items():
        target = assets / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        if (modules / source).is_dir():
            shutil.copytree(modules / source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(modules / source, target)
