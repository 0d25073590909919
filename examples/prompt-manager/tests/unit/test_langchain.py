from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.importorskip("langchain_core", reason="the langchain extra is part of the dev environment")

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from prompt_manager import (
    ConversionError,
    IncompatibleFormatError,
    IntegrationNotAvailableError,
    Message,
    Prompt,
    Role,
)
from prompt_manager.integrations import LangChainIntegration


async def test_text_becomes_prompt_template_with_escaped_braces(text_prompt: Prompt) -> None:
    template = await LangChainIntegration().convert(text_prompt)
    assert isinstance(template, PromptTemplate)
    assert template.template == 'Summarize {text} as JSON like {{"summary": "..."}}.'
    assert template.input_variables == ["text"]
    assert template.format(text="it") == 'Summarize it as JSON like {"summary": "..."}.'


async def test_chat_becomes_chat_prompt_template_with_partials(chat_prompt: Prompt) -> None:
    template = await LangChainIntegration().convert(chat_prompt, {"product": "kettle"})
    assert isinstance(template, ChatPromptTemplate)
    assert template.input_variables == ["code"]
    assert template.partial_variables == {"bot": "Ada", "product": "kettle"}
    messages = template.format_messages(code=7)
    assert [type(m) for m in messages] == [SystemMessage, HumanMessage, AIMessage, HumanMessage]
    assert messages[0].content == "You are Ada, a support agent for kettle."
    assert messages[3].content == "Error 7."


async def test_chat_without_partials() -> None:
    prompt = Prompt(id="c", messages=(Message(Role.USER, "{{q}}"),))
    template = await LangChainIntegration().convert(prompt)
    assert template.format_messages(q="hi") == [HumanMessage("hi")]  # type: ignore[attr-defined]


async def test_unknown_variables_and_unsupported_roles(text_prompt: Prompt) -> None:
    with pytest.raises(ConversionError, match="has no variables nope"):
        await LangChainIntegration().convert(text_prompt, {"nope": 1})
    lenient = await LangChainIntegration(strict_validation=False).convert(text_prompt, {"nope": 1})
    assert lenient.input_variables == ["text"]
    tool = Prompt(id="t", messages=(Message(Role.USER, "u"), Message(Role.TOOL, "x", "call")))
    assert not LangChainIntegration().validate_compatibility(tool)
    with pytest.raises(IncompatibleFormatError, match="system, user and assistant"):
        await LangChainIntegration().convert(tool)
    with pytest.raises(IncompatibleFormatError, match="has no messages"):
        await LangChainIntegration().convert(Prompt(id="c", format="chat"))  # type: ignore[arg-type]
    with pytest.raises(ConversionError, match="no template"):
        await LangChainIntegration().convert(Prompt(id="e"))
    assert not LangChainIntegration().validate_compatibility(Prompt(id="e"))


def test_without_langchain_core_it_names_the_extra(hide_modules: Callable[..., None]) -> None:
    hide_modules("langchain_core")
    assert not LangChainIntegration.is_available()
    with pytest.raises(IntegrationNotAvailableError) as caught:
        LangChainIntegration()
    assert caught.value.integration == "langchain"
    assert caught.value.extra == "langchain"
    assert 'pip install "prompt-manager[langchain]"' in str(caught.value)
