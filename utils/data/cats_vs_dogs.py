"""The small cats-vs-dogs set: ``{train,validation,test}/{cats,dogs}/<cat|dog>.<number>.jpg``, verified or cut.

A tree is accepted when its structure is right (those folders and nothing else, ``cat.<n>.jpg`` only in ``cats/``,
the right number per class, no empty file) and its content is proven: the mirror's by the registry's
``CATS_VS_DOGS_TREE_SHA256``; a set cut here from the verified Kaggle archive by the manifest written when it was cut,
trusted only in the cache that cut it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

from .. import config
from .sources import CATS_VS_DOGS_TREE_SHA256, SOURCES
from .store import CannotMake, DataUnavailableError, Invalid, fetch, move_into_place, obtain, staging

DIRNAME = "cats_vs_dogs_small"
SPLITS = {"train": 1000, "validation": 500, "test": 500}  # images per class
MANIFEST = "manifest.json"


def scan(root: Path) -> dict[str, tuple[int, str]]:
    """Check the structure of a cats-vs-dogs tree; return ``{relative path: (size, sha256)}`` (without the manifest).

    Raises:
        Invalid: an unexpected folder or file, a file of the wrong class, an empty file, or the wrong number of
            images in a class. OSError: a file or folder cannot be read.
    """
    counts = {f"{split}/{cls}": 0 for split in SPLITS for cls in ("cats", "dogs")}
    listing = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_dir():
            if relative not in counts and relative not in SPLITS:
                raise Invalid(f"it holds an unexpected folder {relative}/")
            continue
        if relative == MANIFEST:
            continue
        folder, _, name = relative.rpartition("/")
        if folder not in counts:
            raise Invalid(f"it holds an unexpected file {relative}")
        animal = folder.split("/")[1][:-1]  # "cat" in cats/
        if not re.fullmatch(rf"{animal}\.\d+\.jpg", name):
            raise Invalid(f"{relative} does not belong there (a {animal} image is named {animal}.<number>.jpg)")
        payload = path.read_bytes()
        if not payload:
            raise Invalid(f"{relative} is empty")
        listing[relative] = (len(payload), hashlib.sha256(payload).hexdigest())
        counts[folder] += 1
    for folder, count in sorted(counts.items()):
        expected = SPLITS[folder.split("/")[0]]
        if count != expected:
            raise Invalid(f"{folder}/ holds {count} images, not {expected}")
    return listing


def verify_tree(root: Path) -> Path:
    """Verify a cats-vs-dogs tree (see the module's docstring) and return ``root``.

    Raises:
        Invalid: wrong structure, or content that the registry (or, in the cache, its manifest) does not prove.
        OSError: unreadable.
    """
    if not root.is_dir():
        raise Invalid("it is not a folder")
    listing = scan(root)
    if not (root / MANIFEST).is_file():
        lines = "".join(f"{path}\0{size}\0{sha256}\n" for path, (size, sha256) in sorted(listing.items()))
        if hashlib.sha256(lines.encode()).hexdigest() != CATS_VS_DOGS_TREE_SHA256:
            raise Invalid(f"its files differ from the published set (tree checksum {CATS_VS_DOGS_TREE_SHA256})")
        return root
    if root.parent != config.cache_dir():
        raise Invalid(
            f"it carries its own {MANIFEST}, which is trusted only in the cache that built it "
            "(to share the set, share the Kaggle archive: each user then cuts the set from it)"
        )
    try:
        files = json.loads((root / MANIFEST).read_bytes())["files"]
        recorded = {path: (int(entry["size"]), str(entry["sha256"])) for path, entry in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Invalid(f"its manifest {MANIFEST} is unreadable ({type(error).__name__}: {error})") from None
    differences = {
        "missing": sorted(recorded.keys() - listing.keys()),
        "not in the manifest": sorted(listing.keys() - recorded.keys()),
        "changed": sorted(path for path in listing.keys() & recorded.keys() if listing[path] != recorded[path]),
    }
    found = []
    for kind, paths in differences.items():
        if paths:
            found.append(f"{kind}: {', '.join(paths[:3])}" + (" ..." if len(paths) > 3 else ""))
    if found:
        raise Invalid(f"its files differ from the manifest recorded when it was built ({'; '.join(found)})")
    return root


def _cut(archive: zipfile.ZipFile, destination: Path) -> None:
    """Cut the small set from the Kaggle archive into ``destination``: per class, the readable images in file-number
    order, as 150x150 JPEGs."""
    from PIL import Image

    for folder, cls in (("Cat", "cat"), ("Dog", "dog")):
        pattern = re.compile(rf"PetImages/{folder}/(\d+)\.jpg")
        image_ids = sorted(int(match[1]) for match in map(pattern.fullmatch, archive.namelist()) if match)
        wanted = [split for split, count in SPLITS.items() for _ in range(count)]
        for image_id in image_ids:
            if not wanted:
                break
            try:
                with Image.open(io.BytesIO(archive.read(f"PetImages/{folder}/{image_id}.jpg"))) as image:
                    image = image.convert("RGB").resize((150, 150), Image.BILINEAR)
            except Exception:  # noqa: BLE001 - PIL raises several kinds for a broken file
                continue
            out = destination / wanted.pop(0) / f"{cls}s" / f"{cls}.{image_id}.jpg"
            out.parent.mkdir(parents=True, exist_ok=True)
            image.save(out, quality=85)
        if wanted:
            raise CannotMake(f"the archive holds too few readable {cls} images for the small set")


def _cut_from_archive(target: Path) -> None:
    try:
        archive_path = fetch("cats_vs_dogs_archive")
    except DataUnavailableError as error:
        raise CannotMake(f"the archive it is cut from is not available either ({error.reason})") from error
    with zipfile.ZipFile(archive_path) as archive, staging(target.name) as folder:
        built = folder / target.name
        _cut(archive, built)
        files = {path: {"size": size, "sha256": sha256} for path, (size, sha256) in scan(built).items()}
        source = "{0.filename} {0.published}".format(SOURCES["cats_vs_dogs_archive"])
        (built / MANIFEST).write_text(json.dumps({"source": source, "files": files}, indent=1) + "\n")
        move_into_place(built, target)


def cats_vs_dogs_dir() -> Path:
    """Return the verified folder of the small set, with ``{train,validation,test}/{cats,dogs}/``; cut from the Kaggle
    archive into the cache when neither the mirror nor the cache holds it.

    Raises:
        ChecksumError: a copy has the wrong structure or content (see the module's docstring).
        DataUnavailableError, DataAccessError: see ``store.obtain``.
    """
    return obtain(DIRNAME, "The cats-vs-dogs small set", verify_tree, _cut_from_archive)


def load_cats_vs_dogs(image_size: tuple[int, int] = (150, 150), batch_size: int = 32, seed: int = 1337):
    """Load the small cats-vs-dogs set as three ``tf.data`` datasets of (image batch, label batch).

    Images are float32 RGB in [0, 255] resized to ``image_size``; labels are 0 = cat, 1 = dog. Only the training set
    is shuffled (with ``seed``), each epoch.

    Returns:
        A dict with keys ``"train"``, ``"validation"``, ``"test"``.
    Raises:
        ValueError: bad ``image_size`` or ``batch_size``. DataError: see ``cats_vs_dogs_dir``.
    """
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(f"image_size must be (height, width) of positive ints, got {image_size!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    load, root = config.import_keras().utils.image_dataset_from_directory, cats_vs_dogs_dir()
    options = {"image_size": tuple(image_size), "batch_size": batch_size, "label_mode": "binary", "verbose": False}
    return {split: load(root / split, shuffle=(split == "train"), seed=seed, **options) for split in SPLITS}
