"""utils.speed: the speed settings that depend on the backend, and whether a GPU computes."""

import importlib.util
import shutil

import keras
import numpy as np
import pytest

import utils
from utils import speed


@pytest.mark.parametrize(("backend", "steps"), [("tensorflow", 16), ("jax", 16), ("torch", 1)])
def test_steps_per_execution_follows_the_backend(monkeypatch, backend, steps):
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    assert utils.steps_per_execution() == steps


def test_this_backend_trains_with_its_setting_and_computes_the_same():
    """The setting changes speed only: the same weights after shuffled epochs with dropout (its random masks too)
    as with one batch per call."""
    x = np.random.default_rng(0).random((256, 8)).astype("float32")
    y = (x.sum(axis=1) > 4).astype("float32")

    def trained(steps):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(4, activation="relu"),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="rmsprop", loss="mse", steps_per_execution=steps)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        return model.get_weights()

    for ours, plain in zip(trained(utils.steps_per_execution()), trained(1)):
        np.testing.assert_allclose(ours, plain, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_no_accelerator_on_a_cpu_machine(monkeypatch, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    if shutil.which("nvidia-smi"):
        pytest.skip("this machine may have a GPU")
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    devices = {"tensorflow": "GPU", "jax": "gpu", "torch": "cuda"}
    assert speed.has_accelerator() is False, f"this test machine has no {devices[backend]}"


def test_an_accelerator_is_seen(monkeypatch):
    import jax

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert speed.has_accelerator()
