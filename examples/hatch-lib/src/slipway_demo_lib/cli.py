"""The ``slipway-demo`` console script: prints the installed version."""

from __future__ import annotations

import sys

from slipway_demo_lib import __version__


def _paint(text: str) -> str:
    # Colour only when the optional ``cli`` extra (colorama) is installed.
    try:
        from colorama import Fore, Style
    except ImportError:
        return text
    return f"{Fore.GREEN}{text}{Style.RESET_ALL}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print("usage: slipway-demo [--help]\n\nPrints the installed version of slipway-demo-lib.")
        return 0
    line = f"slipway-demo {__version__}"
    print(_paint(line) if sys.stdout.isatty() else line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
