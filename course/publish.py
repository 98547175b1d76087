"""The course's public address and what depends on it: each notebook's Colab cell and the Colab and Binder links.

    python -m course.publish https://github.com/OWNER/NAME   # make publish URL=...: set the address, rewrite all
    python -m course.publish                                # rewrite all from pyproject.toml (after a version bump)

The address is set in one place, ``[tool.dls] repository`` in ``pyproject.toml``; the release is the package's
version there, as the git tag ``v<version>``. The site reads both when it is built.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from utils.config import PROJECT_ROOT

from .lessons import COLAB_SETUP, lesson_notebooks

PYPROJECT = PROJECT_ROOT / "pyproject.toml"
README = PROJECT_ROOT / "README.md"
GITHUB = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?")
LINKS_BEGIN, LINKS_END = "<!-- links: written by make publish -->", "<!-- end of links -->"
HOW_TO_SET = "`make publish URL=https://github.com/<owner>/<name>`"


@dataclass(frozen=True)
class Release:
    """Where the course is published: its git address ("" until set) and its version (tag ``v<version>``)."""

    repository: str
    version: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def github(self) -> tuple[str, str] | None:
        """Return ``(owner, name)`` when the address is on GitHub (Colab and Binder open notebooks from there)."""
        match = GITHUB.fullmatch(self.repository)
        return (match.group(1), match.group(2)) if match else None

    def colab_url(self, notebook: str) -> str | None:
        """Return the Colab link of ``notebook`` (``01_mnist``) at this release, or None without a GitHub address."""
        if not self.github:
            return None
        owner, name = self.github
        return f"https://colab.research.google.com/github/{owner}/{name}/blob/{self.tag}/notebooks/{notebook}.ipynb"

    def binder_url(self, notebook: str) -> str | None:
        """Return the mybinder.org link opening ``notebook`` in JupyterLab, or None without a GitHub address."""
        if not self.github:
            return None
        owner, name = self.github
        return f"https://mybinder.org/v2/gh/{owner}/{name}/{self.tag}?labpath=notebooks/{notebook}.ipynb"


def current_release(pyproject: Path = PYPROJECT) -> Release:
    """Return the release that ``pyproject`` names (``[project] version``, ``[tool.dls] repository``)."""
    settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return Release(settings["tool"]["dls"]["repository"], settings["project"]["version"])


def set_repository(url: str, pyproject: Path = PYPROJECT) -> Release:
    """Write ``url`` as ``[tool.dls] repository`` in ``pyproject`` and return the release it names.

    Raises:
        ValueError: ``url`` is not a GitHub repository's address (Colab opens notebooks only from GitHub).
    """
    if not GITHUB.fullmatch(url):
        raise ValueError(f"{url!r} is not a GitHub repository's address: give https://github.com/<owner>/<name>")
    text = pyproject.read_text(encoding="utf-8")
    text, found = re.subn(r'(?m)^(repository = )".*"', lambda m: f'{m.group(1)}"{url.rstrip("/")}"', text, count=1)
    if not found:
        raise ValueError(f"{pyproject} has no line 'repository = \"...\"' under [tool.dls]")
    pyproject.write_text(text, encoding="utf-8")
    return current_release(pyproject)


def colab_cell_source(release: Release) -> str:
    """Return the code of each notebook's first code cell: in Colab only, install the helpers of ``release``."""
    if not release.repository:
        return """\
# Colab only (elsewhere this cell does nothing). This copy of the course is not published, so Colab cannot install
# the course's helpers (the utils package): open the notebook from your course's Colab link instead.
import sys

if "google.colab" in sys.modules:
    raise RuntimeError("This copy of the course is not published, so Colab cannot install its helpers: open the "
                       "notebook from your course's Colab link, or ask your lecturer.")"""
    package = f"dls-utils @ git+{release.repository}@{release.tag}"
    return f"""\
# Colab only (elsewhere this cell does nothing): install the course's helpers, release {release.tag}, and the packages
# Colab lacks; Colab's TensorFlow and Keras stay where they fit the course's ranges. Run it again after a reset.
import sys

if "google.colab" in sys.modules:
    import importlib
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "{package}"]
    done = subprocess.run(pip, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout, done.stderr, sep="\\n")
        raise RuntimeError("Could not install the course's helpers: pip's output is above.")
    importlib.invalidate_caches()  # the new package, in this running Python
    from course.colab import install_missing

    install_missing()"""


def is_colab_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a notebook's Colab cell (tagged ``colab-setup``)."""
    return COLAB_SETUP in cell.get("metadata", {}).get("tags", [])


def write_colab_cell(notebook: Path, release: Release) -> bool:
    """Put the Colab cell of ``release`` under the title of ``notebook``, as its first code cell (or update it); return
    whether the file changed."""
    nb = nbformat.read(notebook, as_version=4)
    source = colab_cell_source(release)
    existing = next((cell for cell in nb.cells if is_colab_cell(cell)), None)
    if existing is not None and existing.source == source:
        return False
    if existing is None:
        existing = nbformat.v4.new_code_cell(metadata={"tags": [COLAB_SETUP], "slideshow": {"slide_type": "skip"}})
        # under the title, before the lesson's first section, so that its Setup text stays beside its code
        first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
        nb.cells.insert(min(1, first_code), existing)
    existing.source = source
    nbformat.write(nb, notebook)
    return True


def links_table(release: Release, notebooks: list[Path]) -> str:
    """Return the Markdown between the README's link markers: a Binder badge and a Colab and a Binder link per
    notebook, or how to set the address they need."""
    if not release.github:
        return f"No Colab or Binder links yet: the course has no public address. Set it with {HOW_TO_SET} (above)."
    rows = "\n".join(
        f"| {path.stem} | [Open in Colab]({release.colab_url(path.stem)}) | [Launch on Binder]({release.binder_url(path.stem)}) |"
        for path in notebooks
    )
    owner, name = release.github
    badge = f"[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/{owner}/{name}/{release.tag})"
    return f"{badge} Release {release.tag} of {release.repository}:\n\n| notebook | Colab | Binder |\n|---|---|---|\n{rows}"


def write_readme_links(release: Release, notebooks: list[Path], readme: Path = README) -> bool:
    """Replace the text between the README's link markers by :func:`links_table`; return whether it changed.

    Raises:
        ValueError: the README lacks the markers.
    """
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(LINKS_BEGIN) + r".*?" + re.escape(LINKS_END), flags=re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{readme.name} has no {LINKS_BEGIN} ... {LINKS_END} block for the links")
    new = pattern.sub(lambda _: f"{LINKS_BEGIN}\n{links_table(release, notebooks)}\n{LINKS_END}", text)
    if new == text:
        return False
    readme.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="the course's GitHub address; omitted: keep the one set")
    args = parser.parse_args(argv)
    try:
        release = set_repository(args.url) if args.url else current_release()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    notebooks = lesson_notebooks()
    changed = [path.name for path in notebooks if write_colab_cell(path, release)]
    changed += ["README.md"] * write_readme_links(release, notebooks)
    where = release.repository or "no public address"
    print(
        f"release {release.tag}, {where}: " + (f"rewrote {', '.join(changed)}" if changed else "everything up to date")
    )
    if release.repository:
        print(f"to publish: commit, then `git tag {release.tag}` and push the branch and the tag")
    return 0


if __name__ == "__main__":
    sys.exit(main())
