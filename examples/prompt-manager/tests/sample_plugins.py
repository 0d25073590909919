"""Plugin classes the plugin tests point entry points at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from prompt_manager import Prompt
from prompt_manager.plugins import BasePlugin

NOT_A_PLUGIN = object()


class UpperPlugin(BasePlugin):
    """Renders TEXT prompts in capitals; counts its lifecycle calls."""

    name: ClassVar[str] = "upper"
    version: ClassVar[str] = "2.0"
    calls: ClassVar[list[str]] = []

    async def _initialize_impl(self, config: Mapping[str, Any]) -> None:
        self.calls.append(f"init {dict(config)}")

    async def _render_impl(self, prompt: Prompt, variables: Mapping[str, object]) -> Any:
        return prompt.render(variables).upper()

    async def shutdown(self) -> None:
        self.calls.append("shutdown")
        await super().shutdown()


class NeedsSdkPlugin(UpperPlugin):
    name: ClassVar[str] = "needs-sdk"
    required_modules: ClassVar[tuple[str, ...]] = ("no_such_sdk_module",)


class FailingShutdownPlugin(UpperPlugin):
    name: ClassVar[str] = "failing"

    async def shutdown(self) -> None:
        raise RuntimeError("cannot close")
