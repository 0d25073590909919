"""The registry: stores prompts, renders them, counts the renders.

>>> registry = PromptRegistry()
>>> registry.register(Prompt(id="greet", template="Hello {{name}}!"))
>>> registry.render("greet", {"name": "Ada"})
'Hello Ada!'
>>> registry.metrics.get("greet").count
1
"""

from __future__ import annotations

from collections.abc import Mapping

from prompt_manager.exceptions import PromptValidationError
from prompt_manager.metrics import RenderMetrics
from prompt_manager.models import Message, Prompt, PromptFormat
from prompt_manager.storage import MemoryStorage, PromptStorage
from prompt_manager.template import TemplateEngine

__all__ = ["PromptRegistry"]


class PromptRegistry:
    """Registers prompts in a :class:`PromptStorage` and renders them with a template engine.

    ``strict`` (the default) makes rendering refuse missing variables; a lenient registry leaves
    their placeholders in the output.
    """

    def __init__(
        self,
        storage: PromptStorage | None = None,
        *,
        strict: bool = True,
        metrics: RenderMetrics | None = None,
    ) -> None:
        self.storage = storage if storage is not None else MemoryStorage()
        self.engine = TemplateEngine(strict=strict)
        self.metrics = metrics if metrics is not None else RenderMetrics()

    def __repr__(self) -> str:
        return f"PromptRegistry({self.storage!r}, strict={self.engine.strict})"

    def register(self, prompt: Prompt, *, replace: bool = False) -> None:
        """Add a prompt version; an existing id and version is kept unless ``replace``."""
        if not replace and prompt.version in self.storage.versions(prompt.id):
            raise PromptValidationError(
                f"prompt {prompt.id!r} version {prompt.version!r} is already registered"
            )
        self.storage.save(prompt)

    def get(self, prompt_id: str, version: str | None = None) -> Prompt:
        """A prompt by id, the latest version unless one is named."""
        return self.storage.load(prompt_id, version)

    def ids(self) -> list[str]:
        """Every registered prompt id."""
        return self.storage.ids()

    def versions(self, prompt_id: str) -> list[str]:
        """The versions of a prompt, oldest first."""
        return self.storage.versions(prompt_id)

    def render(
        self, prompt_id: str, variables: Mapping[str, object] | None = None, *, version: str | None = None
    ) -> str:
        """Render a TEXT prompt (timed in :attr:`metrics`)."""
        prompt = self.get(prompt_id, version)
        with self.metrics.timed(prompt.id):
            return prompt.render(variables, engine=self.engine)

    def render_messages(
        self, prompt_id: str, variables: Mapping[str, object] | None = None, *, version: str | None = None
    ) -> list[Message]:
        """Render a CHAT prompt's messages (a TEXT prompt gives one user message)."""
        prompt = self.get(prompt_id, version)
        with self.metrics.timed(prompt.id):
            return prompt.render_messages(variables, engine=self.engine)

    def format_of(self, prompt_id: str) -> PromptFormat:
        """Whether the latest version of a prompt is TEXT or CHAT."""
        return self.get(prompt_id).format
