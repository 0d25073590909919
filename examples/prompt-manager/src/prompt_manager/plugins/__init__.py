"""Plugins, discovered through the ``prompt_manager.plugins`` entry-point group on first use.

A package adds a plugin by declaring a :class:`BasePlugin` subclass in that group::

    [project.entry-points."prompt_manager.plugins"]
    echo = "my_package.plugin:EchoPlugin"

Discovery never fails because of one plugin: a plugin that cannot be loaded, or whose SDK is
not installed, is listed with the reason (and the install command) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from prompt_manager.exceptions import IntegrationNotAvailableError, install_command
from prompt_manager.models import Prompt
from prompt_manager.plugins.base import BasePlugin, PluginError

__all__ = ["PLUGIN_GROUP", "BasePlugin", "PluginError", "PluginInfo", "PluginManager", "get_plugin_manager"]

PLUGIN_GROUP = "prompt_manager.plugins"


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What discovery found under one entry-point name."""

    name: str
    value: str
    version: str | None = None
    available: bool = False
    install_command: str | None = None
    error: str | None = None
    requires: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for humans.

        >>> PluginInfo("openai", "m:P", "1.0", False, 'pip install "prompt-manager[openai]"').describe()
        'openai 1.0: unavailable, pip install "prompt-manager[openai]"'
        """
        head = f"{self.name} {self.version}" if self.version else self.name
        if self.error:
            return f"{head}: broken, {self.error}"
        if not self.available:
            how = self.install_command or f"needs {', '.join(self.requires)}"
            return f"{head}: unavailable, {how}"
        return f"{head}: available"


class PluginManager:
    """Finds plugins (on first use), creates and initializes them, and shuts them down.

    ``entry_points_source`` replaces :func:`importlib.metadata.entry_points` (for tests).
    """

    def __init__(self, entry_points_source: Callable[[], Iterable[EntryPoint]] | None = None) -> None:
        self._source = entry_points_source or (lambda: entry_points(group=PLUGIN_GROUP))
        self._classes: dict[str, type[BasePlugin]] | None = None
        self._infos: dict[str, PluginInfo] = {}
        self._instances: dict[str, BasePlugin] = {}

    def _discover(self) -> dict[str, type[BasePlugin]]:
        if self._classes is not None:
            return self._classes
        classes: dict[str, type[BasePlugin]] = {}
        for entry in sorted(self._source(), key=lambda e: e.name):
            if entry.name in self._infos:
                self._infos[entry.name] = PluginInfo(
                    entry.name, entry.value, error=f"declared twice ({entry.value})"
                )
                classes.pop(entry.name, None)
                continue
            try:
                loaded = entry.load()
            except Exception as error:
                self._infos[entry.name] = PluginInfo(
                    entry.name,
                    entry.value,
                    error=f"cannot load {entry.value}: {type(error).__name__}: {error}",
                )
                continue
            if not (isinstance(loaded, type) and issubclass(loaded, BasePlugin)):
                self._infos[entry.name] = PluginInfo(
                    entry.name, entry.value, error=f"{entry.value} is not a BasePlugin subclass"
                )
                continue
            self._infos[entry.name] = PluginInfo(
                entry.name,
                entry.value,
                version=str(getattr(loaded, "version", "?")),
                available=loaded.is_available(),
                install_command=install_command(loaded.extra) if loaded.extra else None,
                requires=tuple(loaded.required_modules),
            )
            classes[entry.name] = loaded
        self._classes = classes
        return classes

    def plugins(self) -> list[PluginInfo]:
        """Every discovered plugin, available or not, sorted by name."""
        self._discover()
        return [self._infos[name] for name in sorted(self._infos)]

    def available(self) -> list[str]:
        """The names of the plugins that can be initialized."""
        return [info.name for info in self.plugins() if info.available and not info.error]

    async def get(self, name: str, config: Mapping[str, Any] | None = None) -> BasePlugin:
        """The initialized plugin ``name`` (created and initialized on first request)."""
        classes = self._discover()
        if name in self._instances:
            return self._instances[name]
        info = self._infos.get(name)
        if info is None:
            known = ", ".join(sorted(self._infos)) or "none"
            raise PluginError(f"no plugin named {name!r} (installed: {known})")
        if info.error:
            raise PluginError(f"plugin {name!r} is broken: {info.error}")
        cls = classes[name]
        if not info.available:
            raise IntegrationNotAvailableError(name, cls.extra or name)
        plugin = cls()
        await plugin.initialize(config)
        self._instances[name] = plugin
        return plugin

    async def render(self, name: str, prompt: Prompt, variables: Mapping[str, object] | None = None) -> Any:
        """Render ``prompt`` with the plugin ``name``."""
        plugin = await self.get(name)
        return await plugin.render_for_framework(prompt, variables)

    async def shutdown(self) -> None:
        """Shut every initialized plugin down (each one, even if another fails)."""
        instances, self._instances = self._instances, {}
        errors: list[BaseException] = []
        for plugin in instances.values():
            try:
                await plugin.shutdown()
            except Exception as error:
                errors.append(error)
        if errors:
            raise PluginError(f"{len(errors)} plugin(s) failed to shut down: {errors[0]}") from errors[0]


@cache
def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager."""
    return PluginManager()
