"""``make bench``: the epoch time of each model the course trains, per backend and per speed setting, side by side.

    python -m course.bench [--backends tensorflow jax torch] [--models imdb boston ...]

Every (backend, model) pair runs in a fresh process (the backend is fixed when Keras loads), on random data of the
notebook's shapes and types, so no data set is needed. A setting's time is that of one epoch after the first (which
also compiles); where an epoch of the notebook's size would take long, a slice of it is timed and scaled up (the
``timed`` column says how many examples). The table goes to ``build/bench.md``; the README keeps a copy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from utils import config
from utils.measure import peak_memory_mb

from .results import write_atomically

BACKENDS = ("tensorflow", "jax", "torch")
OUTPUT = config.PROJECT_ROOT / "build" / "bench.md"
PLAIN = "plain"
SPEED_SETTINGS = {  # name: what changes against plain
    PLAIN: {},
    "steps_per_execution=16": {"steps_per_execution": 16},
    "uint8 inputs": {"dtype": "uint8"},
    "XLA (jit_compile=True)": {"jit_compile": True},
}


MULTI_HOT = (PLAIN, "uint8 inputs", "steps_per_execution=16", "XLA (jit_compile=True)")


@dataclass
class Workload:
    """One model as a notebook trains it: its layers, its data's shapes, its batch size and its epoch size."""

    notebook: str
    inputs: tuple[int, ...]
    outputs: int  # 1: a sigmoid (or linear, for regression), more: softmax
    examples: int  # per epoch, as the notebook trains it
    validation: int  # validation examples evaluated after each epoch
    batch_size: int
    timed: int  # examples timed per epoch: all of them or a slice
    binary_inputs: bool = False  # 0/1 matrices, which can be stored as uint8
    regression: bool = False
    epochs_timed: int = 2  # epochs after the first that are timed
    settings: tuple[str, ...] = (PLAIN, "steps_per_execution=16", "XLA (jit_compile=True)")


WORKLOADS = {
    "mnist": Workload("01 dense network", (784,), 10, 60_000, 0, 128, 60_000),
    "imdb": Workload("02/05 IMDB 16-16", (10_000,), 1, 15_000, 10_000, 512, 15_000, True, settings=MULTI_HOT),
    "reuters": Workload("03 Reuters 64-64", (10_000,), 46, 7_982, 1_000, 512, 7_982, True, settings=MULTI_HOT),
    "boston": Workload("04 Boston, batches of 16", (13,), 1, 303, 101, 16, 303, regression=True, epochs_timed=20),
    "convnet": Workload("06 convnet", (28, 28, 1), 10, 50_000, 10_000, 64, 6_400),
}


def build(name: str, backend_settings: dict):
    """The notebook's model for workload ``name``, compiled with ``backend_settings`` (steps, jit)."""
    import keras
    from keras import layers

    work = WORKLOADS[name]
    if name == "convnet":
        stack = [
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
        ]
    else:
        units = {"mnist": [512], "imdb": [16, 16], "reuters": [64, 64], "boston": [64, 64]}[name]
        stack = [layers.Dense(n, activation="relu") for n in units]
    activation = None if work.regression else "sigmoid" if work.outputs == 1 else "softmax"
    model = keras.Sequential([keras.Input(work.inputs), *stack, layers.Dense(work.outputs, activation=activation)])
    loss = "mse" if work.regression else "binary_crossentropy" if work.outputs == 1 else "categorical_crossentropy"
    model.compile(
        optimizer="rmsprop", loss=loss, metrics=["mae" if work.regression else "accuracy"], **backend_settings
    )
    return model


def data(name: str, count: int, dtype: str):
    """Random inputs and targets of workload ``name``'s shapes: ``count`` examples, inputs of ``dtype``."""
    import numpy as np

    work, rng = WORKLOADS[name], np.random.default_rng(0)
    x = rng.integers(0, 2, (count, *work.inputs)) if work.binary_inputs else rng.random((count, *work.inputs))
    if work.regression or work.outputs == 1:
        y = rng.random((count, 1)) if work.regression else rng.integers(0, 2, (count, 1))
    else:
        y = np.eye(work.outputs)[rng.integers(0, work.outputs, count)]
    return x.astype(dtype), y.astype("float32")


def seconds_per_epoch(name: str, setting: str) -> float:
    """Train workload ``name`` with ``setting`` for two epochs; return the second's seconds, scaled to a full epoch."""
    import keras

    work, change = WORKLOADS[name], dict(SPEED_SETTINGS[setting])
    x, y = data(name, work.timed, change.pop("dtype", "float32"))
    validation = data(name, round(work.validation * work.timed / work.examples), "float32") if work.validation else None
    model = build(name, change)
    stamps = []
    timer = keras.callbacks.LambdaCallback(on_epoch_begin=lambda *_: stamps.append(time.perf_counter()))
    epochs = 1 + work.epochs_timed
    model.fit(x, y, epochs=epochs, batch_size=work.batch_size, validation_data=validation, callbacks=[timer], verbose=0)
    return (time.perf_counter() - stamps[1]) / work.epochs_timed * work.examples / work.timed


# 07: the two bases it can use, at its image size; VGG16 at random weights (its ImageNet weights cannot be had
# offline, and the time does not depend on the weights' values).
BASES = {"squeezenet": "07 SqueezeNet v1.1 base", "vgg16": "07 VGG16 base (random weights)"}
BASE_SETTINGS = [PLAIN, "XLA (jit_compile=True)"]
BASE_STEPS = ("features", "fine-tuning")


def base_seconds(name: str, setting: str) -> dict[str, float]:
    """Seconds per 1,000 images of 150x150 through base ``name``: ``features``, a forward pass of the frozen base
    (Way 1's features, and each epoch of Way 2); ``fine-tuning``, a training step with its top block unfrozen."""
    import keras
    import numpy as np

    from utils.pretrained import fine_tune_layers, squeezenet_v11

    if name == "vgg16":
        base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(150, 150, 3))
    else:
        base = squeezenet_v11()
    images = np.random.default_rng(0).random((64, 150, 150, 3)).astype("float32") * 255
    labels = np.zeros((64, 1), "float32")
    jit = SPEED_SETTINGS[setting].get("jit_compile", "auto")
    top = fine_tune_layers(name)
    for layer in base.layers:
        layer.trainable = layer.name in top
    model = keras.Sequential([base, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", jit_compile=jit)
    timings = {}
    for step, run in (
        ("features", lambda: base.predict(images, batch_size=32, verbose=0)),
        ("fine-tuning", lambda: model.fit(images, labels, batch_size=32, epochs=1, verbose=0)),
    ):
        run()  # the first call compiles
        start = time.perf_counter()
        run()
        timings[step] = (time.perf_counter() - start) * 1000 / len(images)
    return timings


def applies(setting: str, backend: str) -> bool:
    """Whether ``backend`` takes ``setting`` at all: PyTorch refuses steps_per_execution > 1 and has no XLA;
    JAX always compiles with XLA."""
    refused = {"torch": {"steps_per_execution", "jit_compile"}, "jax": {"jit_compile"}}.get(backend, set())
    return not refused & SPEED_SETTINGS[setting].keys()


def worker(name: str) -> None:
    """In a process on one backend: time every setting of workload or base ``name``; print one JSON line."""
    config.import_keras()
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if name in BASES:
        timings = {s: base_seconds(name, s) for s in BASE_SETTINGS if applies(s, backend)}
    else:
        timings = {s: seconds_per_epoch(name, s) for s in WORKLOADS[name].settings if applies(s, backend)}
    print(json.dumps({"seconds": timings, "peak_memory_mb": round(peak_memory_mb())}))


def measure(backend: str, name: str) -> dict:
    """Run :func:`worker` for ``name`` in a fresh process on ``backend``; return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "course.bench", "--worker", name],
        env=dict(os.environ, KERAS_BACKEND=backend),
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"make bench: {name} on {backend} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cells(per_backend: dict, backends: list[str], setting: str, step: str | None = None) -> list[str]:
    """Per backend: the seconds of ``setting`` (of ``step``, for a base) and its speed-up over plain, or n/a."""
    cells = []
    for backend in backends:
        seconds = per_backend[backend]["seconds"]
        if setting not in seconds:
            cells.append("n/a")
            continue
        value, plain = (seconds[setting][step], seconds[PLAIN][step]) if step else (seconds[setting], seconds[PLAIN])
        cells.append(f"{value:.2f} s" + ("" if setting == PLAIN else f" ({plain / value:.2f}x)"))
    return cells


def table(measured: dict[str, dict[str, dict]], backends: list[str]) -> str:
    """Markdown: per model and setting, seconds per epoch (per 1,000 images for a base) on each backend, with the
    speed-up over plain on the same backend, and each model's peak memory."""
    lines = [
        "| model (notebook) | batch | timed | setting | " + " | ".join(backends) + " |",
        "|---|---:|---:|---|" + "---:|" * len(backends),
    ]
    for name, per_backend in measured.items():
        if name in BASES:
            title, batch, timed = BASES[name], 32, "per 1,000 images"
            rows = [
                (f"{step}, {setting}", _cells(per_backend, backends, setting, step))
                for step in BASE_STEPS
                for setting in BASE_SETTINGS
            ]
        else:
            work = WORKLOADS[name]
            title, batch = work.notebook, work.batch_size
            timed = f"{work.timed:,} of {work.examples:,}" if work.timed < work.examples else f"{work.examples:,}"
            rows = [(setting, _cells(per_backend, backends, setting)) for setting in work.settings]
        for setting, cells in rows:
            lines.append(f"| {title} | {batch} | {timed} | {setting} | " + " | ".join(cells) + " |")
        memory = [f"{per_backend[backend]['peak_memory_mb']:,} MB" for backend in backends]
        lines.append(f"| {title} | | | peak memory (all its settings) | " + " | ".join(memory) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    models = [*WORKLOADS, *BASES]
    parser.add_argument("--models", nargs="+", choices=models, default=models)
    parser.add_argument("--worker", choices=models, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    measured = {}
    for name in args.models:
        measured[name] = {}
        for backend in args.backends:
            print(f"{BASES[name] if name in BASES else WORKLOADS[name].notebook} on {backend} ...", flush=True)
            measured[name][backend] = measure(backend, name)
    result = table(measured, args.backends)
    print(
        f"\nSeconds per epoch of the notebook's size, per 1,000 images for a base (and speed-up over plain), "
        f"{config.USABLE_CPUS} CPU(s):\n"
    )
    print(result)
    write_atomically(OUTPUT, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
