from __future__ import annotations

import pytest

from prompt_manager import ConversionError, Message, Prompt, Role, TemplateEngine
from prompt_manager.integrations import LiteLLMIntegration, OpenAIIntegration


async def test_text_becomes_a_string(text_prompt: Prompt) -> None:
    out = await OpenAIIntegration().convert(text_prompt, {"text": "this"})
    assert out == 'Summarize this as JSON like {"summary": "..."}.'


async def test_chat_maps_every_role() -> None:
    prompt = Prompt(
        id="all",
        messages=(
            Message(Role.SYSTEM, "s"),
            Message(Role.USER, "u", "ada"),
            Message(Role.ASSISTANT, "a"),
            Message(Role.FUNCTION, '{"t": 1}', "get_time"),
            Message(Role.TOOL, "42", "call_1"),
        ),
    )
    assert await OpenAIIntegration().convert(prompt) == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u", "name": "ada"},
        {"role": "assistant", "content": "a"},
        {"role": "function", "content": '{"t": 1}', "name": "get_time"},
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
    ]
    assert OpenAIIntegration().validate_compatibility(prompt)


async def test_missing_template_and_messages_are_conversion_errors() -> None:
    with pytest.raises(ConversionError, match="has no template") as caught:
        await OpenAIIntegration().convert(Prompt(id="empty"))
    assert caught.value.integration == "openai"
    assert not OpenAIIntegration().validate_compatibility(Prompt(id="empty"))
    empty_chat = Prompt(id="c", format="chat")  # type: ignore[arg-type]
    with pytest.raises(ConversionError, match="has no messages"):
        await OpenAIIntegration().convert(empty_chat)
    assert not OpenAIIntegration().validate_compatibility(empty_chat)


@pytest.mark.parametrize(("role", "what"), [(Role.FUNCTION, "needs a name"), (Role.TOOL, "tool call id")])
async def test_function_and_tool_messages_need_names(role: Role, what: str) -> None:
    prompt = Prompt(id="f", messages=(Message(Role.USER, "u"), Message(role, "x")))
    with pytest.raises(ConversionError, match=f"message 1: .*{what}"):
        await OpenAIIntegration().convert(prompt)
    assert not OpenAIIntegration().validate_compatibility(prompt)
    lenient = OpenAIIntegration(strict_validation=False)
    assert lenient.validate_compatibility(prompt)
    assert (await lenient.convert(prompt))[1] == {"role": role.value, "content": "x"}


async def test_template_engine_is_used(text_prompt: Prompt) -> None:
    lenient = OpenAIIntegration(TemplateEngine(strict=False))
    out = await lenient.convert(text_prompt)
    assert isinstance(out, str)
    assert out.startswith("Summarize {{text}}")
    assert (
        repr(lenient)
        == "OpenAIIntegration(template_engine=TemplateEngine(strict=False), strict_validation=True)"
    )


async def test_litellm_delegates_to_openai(text_prompt: Prompt, chat_prompt: Prompt) -> None:
    litellm = LiteLLMIntegration()
    assert await litellm.convert(text_prompt, {"text": "t"}) == [
        {"role": "user", "content": 'Summarize t as JSON like {"summary": "..."}.'}
    ]
    variables = {"product": "p", "code": 1}
    assert await litellm.convert(chat_prompt, variables) == await OpenAIIntegration().convert(
        chat_prompt, variables
    )
    assert litellm.validate_compatibility(chat_prompt)
    with pytest.raises(ConversionError, match="has no template") as caught:
        await litellm.convert(Prompt(id="empty"))
    assert caught.value.integration == "litellm"
