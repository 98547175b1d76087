"""``make data`` (``python -m course.data``): obtain every data set and weights file the notebooks use; report each.

One item failing does not stop the others. The exit status is 1 when something the notebooks need is missing: any
data set, or both pretrained bases (07_pretrained_vgg16 takes SqueezeNet when VGG16's weights are missing).
"""

from __future__ import annotations

import sys
from functools import partial

from utils import config
from utils.data import ChecksumError, DataAccessError, DataUnavailableError, cats_vs_dogs_dir, fetch, load_mnist
from utils.data.sources import CATS_VS_DOGS_DIRNAME, MNIST_FILENAME, SOURCES
from utils.pretrained import BASES

DATA_FILES = ("imdb", "imdb_word_index", "reuters", "reuters_word_index", "boston_housing")
ITEMS = (  # (item, its file or folder name, the function that obtains it)
    [("mnist", MNIST_FILENAME, load_mnist)]
    + [(key, SOURCES[key].filename, partial(fetch, key)) for key in DATA_FILES]
    + [("cats_vs_dogs_small", CATS_VS_DOGS_DIRNAME, cats_vs_dogs_dir)]
    + [(key, SOURCES[key].filename, partial(fetch, key)) for key in BASES]
)
STATES = ((DataUnavailableError, "MISSING"), (ChecksumError, "DAMAGED"), (DataAccessError, "NO ACCESS"))


def obtain_all() -> list[tuple[str, str, str]]:
    """Obtain every item; return ``(item, state, where it is or what went wrong)`` rows.

    ``state`` is ``ok``, ``MISSING``, ``DAMAGED``, ``NO ACCESS`` or ``ERROR`` (an unexpected fault).
    """
    rows = []
    for item, name, obtain in ITEMS:
        try:
            obtain()
            where = next((folder / name for folder in config.data_dirs() if (folder / name).exists()), "-")
            rows.append((item, "ok", config.display_path(where)))
        except Exception as error:  # noqa: BLE001 - one broken item must not hide the state of the others
            state = next((label for kind, label in STATES if isinstance(error, kind)), "ERROR")
            rows.append((item, state, str(error) if state != "ERROR" else f"{type(error).__name__}: {error}"))
        print(f"  {item}: {rows[-1][1]}", flush=True)
    return rows


def exit_status(rows: list[tuple[str, str, str]]) -> int:
    """Return 0 when every data set and at least one pretrained base is there, else 1."""
    failed = {item for item, state, _ in rows if state != "ok"}
    return 1 if (failed - set(BASES)) or set(BASES) <= failed else 0


def main() -> int:
    """Obtain and report everything (a table, then each problem in full); return the exit status."""
    mirror = config.mirror_dir()
    print(f"Obtaining every data set (mirror: {config.display_path(mirror) if mirror else 'none'}, ", end="")
    print(f"cache: {config.display_path(config.cache_dir())}) ...", flush=True)
    rows = obtain_all()
    width = max(len(item) for item, _, _ in rows)
    print(f"\n{'item':<{width}}  {'state':<9}  where")
    for item, state, detail in rows:
        print(f"{item:<{width}}  {state:<9}  {detail if state == 'ok' else '(see below)'}")
    for item, state, detail in rows:
        if state != "ok":
            print(f"\n{item}: {detail}")
    failed = {item for item, state, _ in rows if state != "ok"}
    if "vgg16" in failed and "squeezenet" not in failed:
        print("\nVGG16's weights are missing: 07_pretrained_vgg16 will use the SqueezeNet base instead.")
    status = exit_status(rows)
    if status:
        print("\nSomething the notebooks need is missing (see above).", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
