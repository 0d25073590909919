"""A third-party prompt-manager plugin that echoes the rendered prompt with its id and version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from prompt_manager import Prompt
from prompt_manager.plugins import BasePlugin

__version__ = "1.0.0"


class EchoPlugin(BasePlugin):
    """Renders a prompt to a small dictionary: its id, version and rendered text."""

    name: ClassVar[str] = "echo"
    version: ClassVar[str] = __version__

    async def _initialize_impl(self, config: Mapping[str, Any]) -> None:
        """Nothing to set up."""

    async def _render_impl(self, prompt: Prompt, variables: Mapping[str, object]) -> Any:
        text = "\n".join(m.content for m in prompt.render_messages(variables))
        return {"prompt": prompt.id, "version": prompt.version, "text": text}
