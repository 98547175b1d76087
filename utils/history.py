"""Keras training histories as plain dicts, for the helpers that read them (plots, best epochs)."""

from __future__ import annotations

from collections.abc import Mapping


def history_dict(history) -> dict[str, list[float]]:
    """Return ``{metric: per-epoch values}`` of a Keras ``History`` or of such a dict."""
    data: Mapping = getattr(history, "history", history)
    return {name: list(values) for name, values in data.items()}
