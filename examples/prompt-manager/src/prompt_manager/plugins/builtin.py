"""The plugins shipped with prompt-manager, one per integration.

They are registered under the ``prompt_manager.plugins`` entry-point group like any third-party
plugin. This module imports no SDK: each plugin creates its integration in ``_initialize_impl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from prompt_manager import __version__
from prompt_manager.integrations.base import BaseIntegration
from prompt_manager.models import Prompt
from prompt_manager.plugins.base import BasePlugin, PluginError
from prompt_manager.template import TemplateEngine

__all__ = ["AnthropicPlugin", "IntegrationPlugin", "LangChainPlugin", "LiteLLMPlugin", "OpenAIPlugin"]


class IntegrationPlugin(BasePlugin):
    """A plugin that renders through one of the built-in integrations.

    ``config`` may set ``strict`` (missing variables raise, default true) and
    ``strict_validation`` (refuse prompts the framework would reject, default true).
    """

    version: ClassVar[str] = __version__
    integration_path: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.integration: BaseIntegration[Any] | None = None

    def _integration_class(self) -> type[BaseIntegration[Any]]:
        from prompt_manager import integrations

        cls: type[BaseIntegration[Any]] = getattr(integrations, self.integration_path)
        return cls

    async def _initialize_impl(self, config: Mapping[str, Any]) -> None:
        engine = TemplateEngine(strict=bool(config.get("strict", True)))
        self.integration = self._integration_class()(
            engine, strict_validation=bool(config.get("strict_validation", True))
        )

    async def _render_impl(self, prompt: Prompt, variables: Mapping[str, object]) -> Any:
        assert self.integration is not None  # set by _initialize_impl
        return await self.integration.convert(prompt, variables)

    def validate_compatibility(self, prompt: Prompt) -> bool:
        if self.integration is None:
            raise PluginError(f"plugin {self.name!r} is not initialized: await initialize() first")
        return self.integration.validate_compatibility(prompt)

    async def shutdown(self) -> None:
        self.integration = None
        await super().shutdown()


class OpenAIPlugin(IntegrationPlugin):
    """OpenAI Chat Completions (extra ``openai``)."""

    name: ClassVar[str] = "openai"
    extra: ClassVar[str | None] = "openai"
    required_modules: ClassVar[tuple[str, ...]] = ("openai",)
    integration_path: ClassVar[str] = "OpenAIIntegration"


class AnthropicPlugin(IntegrationPlugin):
    """Anthropic Messages (extra ``anthropic``)."""

    name: ClassVar[str] = "anthropic"
    extra: ClassVar[str | None] = "anthropic"
    required_modules: ClassVar[tuple[str, ...]] = ("anthropic",)
    integration_path: ClassVar[str] = "AnthropicIntegration"


class LangChainPlugin(IntegrationPlugin):
    """LangChain prompt templates (extra ``langchain``)."""

    name: ClassVar[str] = "langchain"
    extra: ClassVar[str | None] = "langchain"
    required_modules: ClassVar[tuple[str, ...]] = ("langchain_core",)
    integration_path: ClassVar[str] = "LangChainIntegration"


class LiteLLMPlugin(IntegrationPlugin):
    """LiteLLM's OpenAI-compatible messages (extra ``litellm``)."""

    name: ClassVar[str] = "litellm"
    extra: ClassVar[str | None] = "litellm"
    required_modules: ClassVar[tuple[str, ...]] = ("litellm",)
    integration_path: ClassVar[str] = "LiteLLMIntegration"
