"""The built-in plugin, registered under the ``slipway_prompts.plugins`` entry-point group."""

from __future__ import annotations

from typing import Mapping


class BuiltinPlugin:
    def prompts(self) -> Mapping[str, str]:
        return {
            "summarize": "Summarize the following text in one paragraph:\n\n$text",
            "translate": "Translate the following text into $language:\n\n$text",
        }
