"""Turn a registry prompt into a LangChain ``PromptTemplate`` (extra: ``langchain``)."""

from __future__ import annotations

import re
from typing import Any

from slipway_prompts.registry import Prompt
from slipway_prompts.integrations import require


def to_langchain(prompt: Prompt) -> Any:
    prompts = require("langchain_core.prompts", "langchain")
    # LangChain uses {name} placeholders where string.Template uses $name.
    template = re.sub(r"\$(\w+)", r"{\1}", prompt.template)
    return prompts.PromptTemplate.from_template(template)
