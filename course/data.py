"""``make data`` (``python -m course.data``): obtain every data set and weights file the notebooks use; report each.

One item failing does not stop the others. The exit status is 1 when something the notebooks need is missing: any
data set, or both pretrained bases (07_pretrained_vgg16 takes SqueezeNet when VGG16's weights are missing).
"""

from __future__ import annotations

import sys
from functools import partial

from utils import config
from utils.data import ChecksumError, DataAccessError, DataUnavailableError, cats_vs_dogs, fetch, load_mnist
from utils.data.sources import SOURCES
from utils.pretrained import BASES

FILES = ("imdb", "imdb_word_index", "reuters", "reuters_word_index", "boston_housing", *BASES)
ITEMS = (  # (item, its file or folder name, the function that obtains it)
    [("mnist", "mnist.npz", load_mnist), ("cats_vs_dogs_small", cats_vs_dogs.DIRNAME, cats_vs_dogs.cats_vs_dogs_dir)]
    + [(key, SOURCES[key].filename, partial(fetch, key)) for key in FILES]
)
STATES = {DataUnavailableError: "MISSING", ChecksumError: "DAMAGED", DataAccessError: "NO ACCESS"}


def exit_status(failed: set[str]) -> int:
    """Return 0 when no data set, and not both pretrained bases, failed to be obtained; else 1."""
    return 1 if (failed - set(BASES)) or set(BASES) <= failed else 0


def main() -> int:
    """Obtain every item, report its state (ok, MISSING, DAMAGED, NO ACCESS, ERROR) and problems; return the status."""
    mirror = config.mirror_dir()
    print(f"Obtaining every data set (mirror: {config.display_path(mirror) if mirror else 'none'}, ", end="")
    print(f"cache: {config.display_path(config.cache_dir())}) ...", flush=True)
    rows = {}  # item -> (state, where it is or what went wrong)
    for item, name, obtain in ITEMS:
        try:
            obtain()
            where = next((folder / name for folder in config.data_dirs() if (folder / name).exists()), "-")
            rows[item] = ("ok", config.display_path(where))
        except Exception as error:  # noqa: BLE001 - one broken item must not hide the state of the others
            state = next((label for kind, label in STATES.items() if isinstance(error, kind)), "ERROR")
            rows[item] = (state, str(error) if state != "ERROR" else f"{type(error).__name__}: {error}")
        print(f"  {item}: {rows[item][0]}", flush=True)
    width = max(map(len, rows))
    print(f"\n{'item':<{width}}  {'state':<9}  where")
    for item, (state, detail) in rows.items():
        print(f"{item:<{width}}  {state:<9}  {detail if state == 'ok' else '(see below)'}")
    failed = [item for item, (state, _) in rows.items() if state != "ok"]
    for item in failed:
        print(f"\n{item}: {rows[item][1]}")
    if set(failed) & set(BASES) == {"vgg16"}:
        print("\nVGG16's weights are missing: 07_pretrained_vgg16 will use the SqueezeNet base instead.")
    if status := exit_status(set(failed)):
        print("\nSomething the notebooks need is missing (see above).", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
