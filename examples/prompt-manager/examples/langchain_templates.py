"""Turn prompts into LangChain templates: ``{{name}}`` becomes ``{name}``, braces are escaped.

pip install "prompt-manager[langchain]"
python examples/langchain_templates.py
"""

from __future__ import annotations

import asyncio

from langchain_core.prompts import ChatPromptTemplate

from prompt_manager import Prompt, chat
from prompt_manager.integrations import LangChainIntegration


async def main() -> None:
    integration = LangChainIntegration()
    text = Prompt(id="extract", template='Extract the names from {{text}} as {"names": [...]}.')
    template = await integration.convert(text)
    print(template.format(text="Ada met Grace."))

    conversation = chat(
        "tutor",
        [("system", "You teach {{subject}}."), ("user", "{{question}}")],
        partial_variables={"subject": "chemistry"},
    )
    chat_template = await integration.convert(conversation)
    assert isinstance(chat_template, ChatPromptTemplate)  # CHAT prompts give chat templates
    for message in chat_template.format_messages(question="What is a mole?"):
        print(f"{message.type}: {message.content}")


if __name__ == "__main__":
    asyncio.run(main())
