"""A tiny demo library used by slipway's tests and demos."""

from __future__ import annotations

import json
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "dump", "greet"]


def greet(name: str) -> str:
    """Return a friendly greeting for ``name``."""
    return f"Hello, {name}!"


def dump(data: Any, fmt: str = "json") -> str:
    """Serialise ``data`` as JSON, or as YAML when the ``yaml`` extra is installed."""
    if fmt == "yaml":
        # Imported here so the base install needs no third-party package.
        import yaml

        return yaml.safe_dump(data, sort_keys=True)
    return json.dumps(data, sort_keys=True)
