"""The plugin contract: a name, a version and an async lifecycle around one framework."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from prompt_manager.exceptions import IntegrationNotAvailableError, PromptManagerError
from prompt_manager.integrations.base import module_available
from prompt_manager.models import Prompt

__all__ = ["BasePlugin", "PluginError"]


class PluginError(PromptManagerError):
    """A plugin was used wrongly (before ``initialize``, after ``shutdown``) or failed to load."""


class BasePlugin(ABC):
    """A plugin renders prompts for one framework.

    Lifecycle: ``await initialize(config)`` once (it checks that the SDK is installed, then calls
    :meth:`_initialize_impl`), then any number of :meth:`render_for_framework` calls, then
    ``await shutdown()``. ``required_modules`` names what must be importable and ``extra`` the
    ``prompt-manager`` extra that provides it; a plugin whose modules are missing is listed as
    unavailable instead of failing. Plugins are registered in the ``prompt_manager.plugins``
    entry-point group, so importing the plugin class must not import its SDK.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    extra: ClassVar[str | None] = None
    required_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self._initialized = False
        self.config: Mapping[str, Any] = {}

    def __repr__(self) -> str:
        state = "initialized" if self._initialized else "not initialized"
        return f"<{type(self).__name__} {self.name} {self.version} ({state})>"

    @property
    def initialized(self) -> bool:
        """Whether :meth:`initialize` has run (and :meth:`shutdown` has not)."""
        return self._initialized

    @classmethod
    def is_available(cls) -> bool:
        """Whether everything the plugin imports is installed."""
        return all(module_available(m) for m in cls.required_modules)

    async def initialize(self, config: Mapping[str, Any] | None = None) -> None:
        """Prepare the plugin; calling it again does nothing."""
        if self._initialized:
            return
        if not self.is_available():
            raise IntegrationNotAvailableError(self.name, self.extra or self.name)
        self.config = dict(config or {})
        await self._initialize_impl(self.config)
        self._initialized = True

    @abstractmethod
    async def _initialize_impl(self, config: Mapping[str, Any]) -> None:
        """The plugin's own set-up (create clients, integrations...)."""

    async def render_for_framework(
        self, prompt: Prompt, variables: Mapping[str, object] | None = None
    ) -> Any:
        """Render ``prompt`` in the framework's format."""
        if not self._initialized:
            raise PluginError(f"plugin {self.name!r} is not initialized: await initialize() first")
        return await self._render_impl(prompt, variables or {})

    @abstractmethod
    async def _render_impl(self, prompt: Prompt, variables: Mapping[str, object]) -> Any:
        """The plugin's rendering, called once initialized."""

    def validate_compatibility(self, prompt: Prompt) -> bool:
        """Whether the plugin can render ``prompt``; all prompts unless overridden."""
        return True

    async def shutdown(self) -> None:
        """Release what :meth:`initialize` acquired; the plugin can be initialized again."""
        self._initialized = False
