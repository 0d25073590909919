"""The ``prompt-manager`` command: list plugins, list and render the prompts of a folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from prompt_manager import __version__
from prompt_manager.exceptions import PromptManagerError

EXAMPLES = """examples:
  prompt-manager plugins
  prompt-manager list prompts/
  prompt-manager render prompts/ greet name=Ada
  prompt-manager render prompts/ greet --version 1 --lenient
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prompt-manager",
        description="Manage versioned prompt templates.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"prompt-manager {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("plugins", help="list the installed plugins and whether they can be used")
    listing = commands.add_parser("list", help="list the prompts of a folder with their versions")
    listing.add_argument("folder")
    render = commands.add_parser("render", help="render a TEXT prompt with name=value variables")
    render.add_argument("folder")
    render.add_argument("prompt_id")
    render.add_argument("variables", nargs="*", metavar="name=value")
    render.add_argument("--version", dest="prompt_version", help="the version (default: the latest)")
    render.add_argument("--lenient", action="store_true", help="leave missing variables as written")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 failure, 2 usage error)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "plugins":
            from prompt_manager.plugins import get_plugin_manager

            for info in get_plugin_manager().plugins():
                print(info.describe())
            return 0
        from prompt_manager.registry import PromptRegistry
        from prompt_manager.storage import FileSystemStorage

        registry = PromptRegistry(FileSystemStorage(args.folder), strict=not getattr(args, "lenient", False))
        if args.command == "list":
            for prompt_id in registry.ids():
                print(f"{prompt_id} {' '.join(registry.versions(prompt_id))}")
            return 0
        variables: dict[str, str] = {}
        for item in args.variables:
            name, sep, value = item.partition("=")
            if not sep:
                print(f"prompt-manager: expected name=value, got {item!r}", file=sys.stderr)
                return 2
            variables[name] = value
        print(registry.render(args.prompt_id, variables, version=args.prompt_version))
        return 0
    except PromptManagerError as error:
        print(f"prompt-manager: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
