"""The exceptions prompt-manager raises.

Every exception derives from :class:`PromptManagerError`, so one ``except`` clause catches them
all. They pickle (so they cross process pools) and print usefully in logs:

>>> error = IntegrationNotAvailableError("openai", "openai")
>>> print(error)
the openai integration needs extra packages: pip install "prompt-manager[openai]"
>>> error
IntegrationNotAvailableError(integration='openai', extra='openai')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "ConversionError",
    "IncompatibleFormatError",
    "IntegrationError",
    "IntegrationNotAvailableError",
    "MissingVariablesError",
    "PromptManagerError",
    "PromptNotFoundError",
    "PromptValidationError",
    "StorageError",
]


def install_command(extra: str) -> str:
    """The exact command that installs an extra.

    >>> install_command("anthropic")
    'pip install "prompt-manager[anthropic]"'
    """
    return f'pip install "prompt-manager[{extra}]"'


class PromptManagerError(Exception):
    """Base class of every error raised by prompt-manager."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,))


class PromptValidationError(PromptManagerError, ValueError):
    """A prompt (or the data it is loaded from) is malformed."""


class PromptNotFoundError(PromptManagerError, KeyError):
    """No prompt with that id (and version) is stored."""

    def __init__(self, prompt_id: str, version: str | None = None) -> None:
        self.prompt_id = prompt_id
        self.version = version
        where = f"{prompt_id!r} version {version!r}" if version else repr(prompt_id)
        super().__init__(f"no prompt {where}")

    def __repr__(self) -> str:
        return f"PromptNotFoundError(prompt_id={self.prompt_id!r}, version={self.version!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.prompt_id, self.version))


class MissingVariablesError(PromptManagerError, KeyError):
    """Strict rendering met variables that were not given."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(set(names)))
        super().__init__(f"missing template variables: {', '.join(self.names)}")

    def __repr__(self) -> str:
        return f"MissingVariablesError(names={self.names!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.names,))


class StorageError(PromptManagerError):
    """A storage backend could not read or write a prompt."""


class IntegrationError(PromptManagerError):
    """An integration failed; ``integration`` names it."""

    def __init__(self, integration: str, message: str) -> None:
        self.integration = integration
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(integration={self.integration!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.integration, self.message))


class IntegrationNotAvailableError(IntegrationError, ImportError):
    """The SDK an integration needs is not installed; the message says how to install it."""

    def __init__(self, integration: str, extra: str) -> None:
        self.extra = extra
        self.install_command = install_command(extra)
        super().__init__(
            integration, f"the {integration} integration needs extra packages: {self.install_command}"
        )

    def __repr__(self) -> str:
        return f"IntegrationNotAvailableError(integration={self.integration!r}, extra={self.extra!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.integration, self.extra))


class ConversionError(IntegrationError):
    """A prompt could not be converted to an integration's format."""


class IncompatibleFormatError(ConversionError):
    """The prompt's format (TEXT or CHAT) or its messages do not fit the integration."""
