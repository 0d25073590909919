from __future__ import annotations

import pytest

from prompt_manager import ConversionError, IncompatibleFormatError, Message, Prompt, Role
from prompt_manager.integrations import AnthropicIntegration


def chat(*pairs: tuple[Role, str]) -> Prompt:
    return Prompt(id="c", messages=tuple(Message(r, c, "n") for r, c in pairs))


async def test_system_extracted_and_roles_mapped(chat_prompt: Prompt) -> None:
    out = await AnthropicIntegration().convert(chat_prompt, {"product": "kettle", "code": 7})
    assert out == {
        "system": "You are Ada, a support agent for kettle.",
        "messages": [
            {"role": "user", "content": "My kettle does not start."},
            {"role": "assistant", "content": "Which error do you see?"},
            {"role": "user", "content": "Error 7."},
        ],
    }


async def test_function_and_tool_messages_are_user_turns() -> None:
    prompt = chat(
        (Role.USER, "u"), (Role.ASSISTANT, "a"), (Role.TOOL, "t"), (Role.ASSISTANT, "b"), (Role.FUNCTION, "f")
    )
    out = await AnthropicIntegration().convert(prompt)
    assert [m["role"] for m in out["messages"]] == ["user", "assistant", "user", "assistant", "user"]
    assert "system" not in out


async def test_text_prompt_is_one_user_turn(text_prompt: Prompt) -> None:
    out = await AnthropicIntegration().convert(text_prompt, {"text": "x"})
    assert out == {"messages": [{"role": "user", "content": 'Summarize x as JSON like {"summary": "..."}.'}]}
    with pytest.raises(ConversionError, match="no template"):
        await AnthropicIntegration().convert(Prompt(id="e"))


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        (chat((Role.SYSTEM, "a"), (Role.USER, "u"), (Role.SYSTEM, "b")), r"2 system messages \(at 0, 2\)"),
        (chat((Role.SYSTEM, "s"), (Role.ASSISTANT, "a")), "message 1: the first turn must be the user's"),
        (
            chat((Role.USER, "u"), (Role.ASSISTANT, "a"), (Role.ASSISTANT, "b")),
            "message 2: two assistant turns",
        ),
        (chat((Role.USER, "u"), (Role.TOOL, "t")), "message 1: two user turns"),
        (chat((Role.SYSTEM, "s")), "has no user message"),
        (Prompt(id="c", format="chat"), "has no user message"),  # type: ignore[arg-type]
    ],
)
async def test_alternation_errors_name_the_index(prompt: Prompt, message: str) -> None:
    integration = AnthropicIntegration()
    assert not integration.validate_compatibility(prompt)
    with pytest.raises(IncompatibleFormatError, match=message):
        await integration.convert(prompt)


async def test_lenient_validation_joins_consecutive_turns() -> None:
    prompt = chat((Role.USER, "u1"), (Role.TOOL, "t"), (Role.ASSISTANT, "a"))
    out = await AnthropicIntegration(strict_validation=False).convert(prompt)
    assert out["messages"] == [{"role": "user", "content": "u1\n\nt"}, {"role": "assistant", "content": "a"}]
    assert AnthropicIntegration().validate_compatibility(Prompt(id="t", template="x"))
