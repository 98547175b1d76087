"""``make data``: obtain every data set and weights file the notebooks use, and report each item.

One item failing does not stop the others. The exit status is 1 when something the notebooks
need is missing: any data set, or both pretrained bases (VGG16's weights are optional while
SqueezeNet's are there, and the other way round).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .. import config
from .cats_vs_dogs import cats_vs_dogs_dir
from .loaders import fetch, load_mnist
from .sources import CATS_VS_DOGS_DIRNAME, MNIST_FILENAME, SOURCES
from .store import ChecksumError, DataAccessError, DataUnavailableError, exists

BASES = ("vgg16_notop", "squeezenet_notop")  # 07_pretrained_vgg16 needs one of them

STATES = ((DataUnavailableError, "MISSING"), (ChecksumError, "DAMAGED"), (DataAccessError, "NO ACCESS"))


def items() -> list[tuple[str, str, Callable[[], object]]]:
    """Return ``(item, file or folder name, function that obtains it)`` for everything ``make data`` provides."""
    files = ["imdb", "imdb_word_index", "reuters", "reuters_word_index", "boston_housing", *BASES]
    return (
        [("mnist", MNIST_FILENAME, load_mnist)]
        + [(key, SOURCES[key].filename, lambda key=key: fetch(key)) for key in files[:5]]
        + [("cats_vs_dogs_small", CATS_VS_DOGS_DIRNAME, cats_vs_dogs_dir)]
        + [(key, SOURCES[key].filename, lambda key=key: fetch(key)) for key in BASES]
    )


def _location(name: str) -> str:
    for folder in config.data_dirs():
        if exists(folder / name):
            return config.display_path(folder / name)
    return "-"


def obtain_all() -> list[tuple[str, str, str]]:
    """Obtain every item; return ``(item, state, where or what went wrong)`` rows.

    ``state`` is ``ok``, ``MISSING``, ``DAMAGED``, ``NO ACCESS`` or ``ERROR`` (an unexpected fault).
    """
    rows = []
    for item, name, obtain in items():
        try:
            obtain()
            rows.append((item, "ok", _location(name)))
        except Exception as error:  # noqa: BLE001 - one broken item must not hide the state of the others
            state = next((label for kind, label in STATES if isinstance(error, kind)), "ERROR")
            detail = str(error) if state != "ERROR" else f"{type(error).__name__}: {error}"
            rows.append((item, state, detail))
        print(f"  {item}: {rows[-1][1]}", flush=True)
    return rows


def exit_status(rows: list[tuple[str, str, str]]) -> int:
    """Return 0 when every data set and at least one pretrained base is there, else 1."""
    failed = {item for item, state, _ in rows if state != "ok"}
    return 1 if (failed - set(BASES)) or set(BASES) <= failed else 0


def main() -> int:
    print(
        f"Obtaining every data set (mirror: {config.display_path(config.mirror_dir()) if config.mirror_dir() else 'none'}, "
        f"cache: {config.display_path(config.cache_dir())}) ...",
        flush=True,
    )
    rows = obtain_all()
    width = max(len(item) for item, _, _ in rows)
    print()
    print(f"{'item':<{width}}  {'state':<9}  where")
    for item, state, detail in rows:
        print(f"{item:<{width}}  {state:<9}  {detail if state == 'ok' else '(see below)'}")
    for item, state, detail in rows:
        if state != "ok":
            print(f"\n{item}: {detail}")
    failed = {item for item, state, _ in rows if state != "ok"}
    if "vgg16_notop" in failed and "squeezenet_notop" not in failed:
        print("\nVGG16's weights are missing: 07_pretrained_vgg16 will use the SqueezeNet base instead.")
    status = exit_status(rows)
    if status:
        print("\nSomething the notebooks need is missing (see above).", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
