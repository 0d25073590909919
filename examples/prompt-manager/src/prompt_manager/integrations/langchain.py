"""LangChain (``langchain-core``): prompts become LangChain prompt templates.

TEXT prompts become a ``PromptTemplate``, CHAT prompts a ``ChatPromptTemplate``; ``{{name}}``
placeholders become ``{name}`` and literal braces are escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from prompt_manager.exceptions import ConversionError, IncompatibleFormatError
from prompt_manager.integrations.base import BaseIntegration
from prompt_manager.models import Prompt, PromptFormat, Role
from prompt_manager.template import TemplateEngine, to_format_string

if TYPE_CHECKING:
    from langchain_core.prompts import BasePromptTemplate

__all__ = ["LangChainIntegration"]

_SUPPORTED = {Role.SYSTEM, Role.USER, Role.ASSISTANT}


class LangChainIntegration(BaseIntegration["BasePromptTemplate[Any]"]):
    """Converts prompts to LangChain prompt templates (extra ``langchain``).

    The result keeps the prompt's variables open: ``variables`` given to :meth:`convert` and the
    prompt's ``partial_variables`` are bound as LangChain partial variables, the others stay
    input variables of the template. SYSTEM, USER and ASSISTANT messages become system, human
    and AI message templates; FUNCTION and TOOL messages have no template form in LangChain and
    are an :class:`IncompatibleFormatError`. Creating the integration without ``langchain-core``
    installed raises :class:`~prompt_manager.exceptions.IntegrationNotAvailableError`.
    """

    name: ClassVar[str] = "langchain"
    extra: ClassVar[str | None] = "langchain"
    required_modules: ClassVar[tuple[str, ...]] = ("langchain_core",)

    def __init__(
        self, template_engine: TemplateEngine | None = None, *, strict_validation: bool = True
    ) -> None:
        self.require_available()
        super().__init__(template_engine, strict_validation=strict_validation)

    async def convert(
        self, prompt: Prompt, variables: Mapping[str, object] | None = None
    ) -> BasePromptTemplate[Any]:
        from langchain_core.prompts import (
            AIMessagePromptTemplate,
            ChatPromptTemplate,
            HumanMessagePromptTemplate,
            PromptTemplate,
            SystemMessagePromptTemplate,
        )

        given = {k: str(v) for k, v in (variables or {}).items()}
        unknown = set(given) - prompt.input_variables - set(prompt.partial_variables)
        if unknown and self.strict_validation:
            raise ConversionError(
                self.name, f"prompt {prompt.id!r} has no variables {', '.join(sorted(unknown))}"
            )
        partials = {**prompt.partial_variables, **{k: v for k, v in given.items() if k not in unknown}}
        if prompt.format is PromptFormat.TEXT:
            if prompt.template is None:
                raise ConversionError(self.name, f"TEXT prompt {prompt.id!r} has no template")
            return PromptTemplate(
                template=to_format_string(prompt.template),
                input_variables=sorted(prompt.input_variables - partials.keys()),
                partial_variables=partials,
            )
        if not self.validate_compatibility(prompt):
            raise IncompatibleFormatError(
                self.name,
                f"prompt {prompt.id!r}: LangChain message templates take system, user and assistant"
                " messages only"
                if prompt.messages
                else f"CHAT prompt {prompt.id!r} has no messages",
            )
        kinds = {
            Role.SYSTEM: SystemMessagePromptTemplate,
            Role.USER: HumanMessagePromptTemplate,
            Role.ASSISTANT: AIMessagePromptTemplate,
        }
        templates = [kinds[m.role].from_template(to_format_string(m.content)) for m in prompt.messages]
        chat = ChatPromptTemplate.from_messages(templates)
        return chat.partial(**partials) if partials else chat

    def validate_compatibility(self, prompt: Prompt) -> bool:
        if prompt.format is PromptFormat.TEXT:
            return prompt.template is not None
        return bool(prompt.messages) and all(m.role in _SUPPORTED for m in prompt.messages)
