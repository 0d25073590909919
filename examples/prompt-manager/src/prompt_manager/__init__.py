"""prompt-manager: versioned prompt templates, rendered for OpenAI, Anthropic, LangChain and LiteLLM.

>>> from prompt_manager import Prompt, PromptRegistry
>>> registry = PromptRegistry()
>>> registry.register(Prompt(id="summarize", template="Summarize: {{text}}"))
>>> registry.render("summarize", {"text": "a long story"})
'Summarize: a long story'

Importing this package imports no LLM SDK; the integrations live in
:mod:`prompt_manager.integrations` and load on first use.
"""

from prompt_manager.exceptions import (
    ConversionError,
    IncompatibleFormatError,
    IntegrationError,
    IntegrationNotAvailableError,
    MissingVariablesError,
    PromptManagerError,
    PromptNotFoundError,
    PromptValidationError,
    StorageError,
)
from prompt_manager.metrics import RenderMetrics, RenderStats
from prompt_manager.models import Message, Prompt, PromptFormat, Role, chat
from prompt_manager.registry import PromptRegistry
from prompt_manager.storage import FileSystemStorage, MemoryStorage, PromptStorage
from prompt_manager.template import TemplateEngine

__version__ = "0.1.0"

__all__ = [
    "ConversionError",
    "FileSystemStorage",
    "IncompatibleFormatError",
    "IntegrationError",
    "IntegrationNotAvailableError",
    "MemoryStorage",
    "Message",
    "MissingVariablesError",
    "Prompt",
    "PromptFormat",
    "PromptManagerError",
    "PromptNotFoundError",
    "PromptRegistry",
    "PromptStorage",
    "PromptValidationError",
    "RenderMetrics",
    "RenderStats",
    "Role",
    "StorageError",
    "TemplateEngine",
    "__version__",
    "chat",
]
