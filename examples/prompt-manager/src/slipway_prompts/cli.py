"""The ``slipway-prompts`` command: list the registered prompts or render one."""

from __future__ import annotations

import argparse

from slipway_prompts import __version__
from slipway_prompts.registry import PromptRegistry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="slipway-prompts")
    parser.add_argument("--version", action="version", version=f"slipway-prompts {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list prompt names")
    render = commands.add_parser("render", help="render a prompt with name=value variables")
    render.add_argument("name")
    render.add_argument("variables", nargs="*", metavar="name=value")
    args = parser.parse_args(argv)

    registry = PromptRegistry.with_plugins()
    if args.command == "list":
        print("\n".join(registry.names()))
        return 0
    variables = dict(item.split("=", 1) for item in args.variables)
    print(registry.render(args.name, **variables))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
