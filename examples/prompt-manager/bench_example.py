"""Benchmark: the import time of ``prompt_manager`` and the time of one conversion.

Budgets: importing the package under 500 ms, converting a prompt under 5 ms (medians). Exits 1
when a budget is exceeded. A benchmark, not a test: run it on a quiet machine.

    python bench_example.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time

from prompt_manager import Prompt, chat
from prompt_manager.integrations import AnthropicIntegration, OpenAIIntegration

IMPORT_BUDGET_MS = 500.0
CONVERT_BUDGET_MS = 5.0


def import_ms(runs: int) -> float:
    """Median wall time of ``import prompt_manager`` in a fresh interpreter, minus a bare start."""

    def once(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return (time.perf_counter() - start) * 1000

    bare = statistics.median(once("pass") for _ in range(runs))
    code = "import prompt_manager, prompt_manager.integrations"
    loaded = statistics.median(once(code) for _ in range(runs))
    return max(loaded - bare, 0.0)


def convert_ms(runs: int) -> dict[str, float]:
    """Median time of one conversion of a four-message chat prompt and of a text prompt."""
    conversation = chat(
        "support",
        [
            ("system", "You are {{bot}}, a support agent for {{product}}."),
            ("user", "My {{product}} does not start."),
            ("assistant", "Which error do you see?"),
            ("user", "Error {{code}}."),
        ],
    )
    text = Prompt(id="summarize", template="Summarize {{text}} in {{words}} words.")
    variables: dict[str, object] = {
        "bot": "Ada",
        "product": "kettle",
        "code": 7,
        "text": "x" * 2000,
        "words": 50,
    }
    cases: dict[str, tuple[OpenAIIntegration | AnthropicIntegration, Prompt]] = {
        "openai chat": (OpenAIIntegration(), conversation),
        "anthropic chat": (AnthropicIntegration(), conversation),
        "openai text": (OpenAIIntegration(), text),
    }
    results: dict[str, float] = {}
    for label, (integration, prompt) in cases.items():
        results[label] = statistics.median(asyncio.run(_timed(integration, prompt, variables, runs)))
    return results


async def _timed(
    integration: OpenAIIntegration | AnthropicIntegration,
    prompt: Prompt,
    variables: dict[str, object],
    runs: int,
) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await integration.convert(prompt, variables)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    """Print the measurements; 1 when over budget."""
    parser = argparse.ArgumentParser(description="prompt-manager import and conversion benchmark")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    over = False
    imported = import_ms(max(args.runs // 3, 3))
    over |= imported > IMPORT_BUDGET_MS
    print(f"import prompt_manager: {imported:.1f} ms (budget {IMPORT_BUDGET_MS:g} ms)")
    for label, ms in convert_ms(args.runs * 100).items():
        over |= ms > CONVERT_BUDGET_MS
        print(f"convert, {label}: {ms * 1000:.1f} us (budget {CONVERT_BUDGET_MS:g} ms)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
