"""Adapters to LLM SDKs. Each one imports its SDK lazily: install the matching extra to use it."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import an optional SDK, or explain which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{module} is not installed: pip install 'slipway-prompts[{extra}]'") from error
