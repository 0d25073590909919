"""The contract every integration implements."""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar

from prompt_manager.exceptions import IntegrationNotAvailableError
from prompt_manager.models import Message, Prompt
from prompt_manager.template import TemplateEngine

__all__ = ["BaseIntegration", "module_available"]

T = TypeVar("T")


def module_available(name: str) -> bool:
    """Whether ``name`` can be imported, found without importing it.

    >>> module_available("json"), module_available("no_such_module_here")
    (True, False)
    """
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent that fails, or a module blocked in sys.modules
        return False


class BaseIntegration(ABC, Generic[T]):
    """Converts prompts to one framework's format ``T``.

    Subclasses set ``name``, the ``extra`` that installs their SDK and the ``required_modules``
    that SDK provides, and implement :meth:`convert` and :meth:`validate_compatibility`.
    ``strict_validation`` makes :meth:`convert` refuse prompts the framework would reject;
    without it, an integration repairs what it safely can. ``template_engine`` renders the
    variables (strict by default: a missing variable raises).
    """

    name: ClassVar[str] = "base"
    extra: ClassVar[str | None] = None
    required_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, template_engine: TemplateEngine | None = None, *, strict_validation: bool = True
    ) -> None:
        self.template_engine = template_engine if template_engine is not None else TemplateEngine()
        self.strict_validation = strict_validation

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(template_engine={self.template_engine!r}, "
            f"strict_validation={self.strict_validation})"
        )

    @classmethod
    def is_available(cls) -> bool:
        """Whether the SDK this integration needs is importable (without importing it)."""
        return all(module_available(module) for module in cls.required_modules)

    @classmethod
    def require_available(cls) -> None:
        """Raise :class:`IntegrationNotAvailableError` (with the install command) if the SDK is absent."""
        if not cls.is_available():
            raise IntegrationNotAvailableError(cls.name, cls.extra or cls.name)

    def render_messages(self, prompt: Prompt, variables: Mapping[str, object] | None) -> list[Message]:
        """The prompt's messages with ``variables`` filled in by :attr:`template_engine`."""
        return prompt.render_messages(variables, engine=self.template_engine)

    @abstractmethod
    async def convert(self, prompt: Prompt, variables: Mapping[str, object] | None = None) -> T:
        """Render ``prompt`` with ``variables`` into the framework's format."""

    @abstractmethod
    def validate_compatibility(self, prompt: Prompt) -> bool:
        """Whether :meth:`convert` can convert ``prompt`` (without rendering it)."""
