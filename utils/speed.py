"""Speed settings that depend on the backend, in one place (measured by ``make bench``; README, "Speed and memory")."""

from __future__ import annotations

from .config import import_keras

# Batches per call into the backend, where the backend takes more than one: Keras then runs the loop over them in
# compiled code instead of Python, which saves the overhead of a call per batch (the course's small dense models
# train up to 1.45 times faster per epoch on TensorFlow, 2.2 times on JAX for Boston's small batches). The numbers
# computed are the same: the same batches, in the same order. PyTorch's Keras backend refuses more than 1.
STEPS_PER_EXECUTION = {"tensorflow": 16, "jax": 16, "torch": 1}


def steps_per_execution() -> int:
    """Return how many batches ``model.compile(steps_per_execution=...)`` should take on this run's backend."""
    return STEPS_PER_EXECUTION.get(import_keras().backend.backend(), 1)


def has_accelerator() -> bool:
    """Return whether this run's backend computes on a GPU (or Apple's MPS) rather than on the CPU."""
    backend = import_keras().backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return jax.default_backend() != "cpu"
    if backend == "torch":
        import torch

        return torch.cuda.is_available() or torch.backends.mps.is_available()
    return False
