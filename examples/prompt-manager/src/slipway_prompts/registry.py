"""Prompt templates and the registry that collects them from plugins."""

from __future__ import annotations

import string
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Mapping, Protocol

PLUGIN_GROUP = "slipway_prompts.plugins"


@dataclass(frozen=True)
class Prompt:
    """A named template using ``$name`` placeholders (``string.Template`` syntax)."""

    name: str
    template: str

    def render(self, **variables: str) -> str:
        return string.Template(self.template).substitute(variables)


class Plugin(Protocol):
    def prompts(self) -> Mapping[str, str]: ...


class PromptRegistry:
    """Holds prompts by name; ``with_plugins()`` fills it from every installed plugin."""

    def __init__(self) -> None:
        self._prompts: dict[str, Prompt] = {}

    @classmethod
    def with_plugins(cls) -> PromptRegistry:
        registry = cls()
        for entry in entry_points(group=PLUGIN_GROUP):
            plugin: Plugin = entry.load()()
            for name, template in plugin.prompts().items():
                registry.add(Prompt(name, template))
        return registry

    def add(self, prompt: Prompt) -> None:
        if prompt.name in self._prompts:
            raise ValueError(f"prompt {prompt.name!r} is already registered")
        self._prompts[prompt.name] = prompt

    def names(self) -> list[str]:
        return sorted(self._prompts)

    def render(self, name: str, **variables: str) -> str:
        return self._prompts[name].render(**variables)
