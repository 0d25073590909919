"""A small prompt manager with plugins and optional LLM integrations."""

from slipway_prompts.registry import Prompt, PromptRegistry

__version__ = "0.1.0"

__all__ = ["Prompt", "PromptRegistry", "__version__"]
