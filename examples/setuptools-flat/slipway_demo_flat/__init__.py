"""A tiny flat-layout demo package used by slipway's tests and demos."""

from __future__ import annotations

import re

__version__ = "0.3.0"

__all__ = ["__version__", "slugify"]


def slugify(text: str) -> str:
    """Lower-case ``text`` and join its words with single hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))
