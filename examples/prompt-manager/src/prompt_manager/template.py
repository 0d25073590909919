r"""A small Handlebars-style template engine: ``{{name}}`` placeholders, nothing more.

A template is parsed once into literal text and placeholders (the parse is cached), then
rendered in one pass. ``\{{`` writes a literal ``{{``. Placeholder names are identifiers.

>>> engine = TemplateEngine()
>>> engine.render("Hello {{ name }}!", {"name": "Ada"})
'Hello Ada!'
>>> sorted(engine.variables("{{a}} and {{b}} and {{a}}"))
['a', 'b']
>>> TemplateEngine(strict=False).render("Hi {{who}}", {})
'Hi {{who}}'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from prompt_manager.exceptions import MissingVariablesError, PromptValidationError

__all__ = ["TemplateEngine", "to_format_string"]

# One token at a time: an escaped opening, a placeholder, or a run of other text.
_TOKEN = re.compile(r"\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\{\{|[^\\{]+|[\\{]")


@dataclass(frozen=True, slots=True)
class _Placeholder:
    name: str
    source: str


_Part = str | _Placeholder


@lru_cache(maxsize=512)
def _parse(template: str) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    text: list[str] = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if match.group(1) is not None:
            if text:
                parts.append("".join(text))
                text = []
            parts.append(_Placeholder(match.group(1), token))
        elif token == "{{":
            raise PromptValidationError(
                f"malformed placeholder at offset {match.start()}: expected {{{{name}}}}"
            )
        else:
            text.append("{{" if token == "\\{{" else token)
    if text:
        parts.append("".join(text))
    return tuple(parts)


class TemplateEngine:
    """Renders ``{{name}}`` templates, strictly (missing names raise) or leniently.

    In strict mode a missing variable raises :class:`MissingVariablesError` naming every missing
    variable at once; in lenient mode the placeholder is left as written.
    """

    def __init__(self, *, strict: bool = True) -> None:
        self.strict = strict

    def __repr__(self) -> str:
        return f"TemplateEngine(strict={self.strict})"

    def variables(self, template: str) -> frozenset[str]:
        """The names a template refers to."""
        return frozenset(p.name for p in _parse(template) if isinstance(p, _Placeholder))

    def validate(self, template: str) -> None:
        """Raise :class:`PromptValidationError` when the template is malformed."""
        _parse(template)

    def render(self, template: str, variables: Mapping[str, object]) -> str:
        """Fill the placeholders of ``template`` from ``variables`` (values go through ``str``)."""
        parts = _parse(template)
        if self.strict:
            missing = [p.name for p in parts if isinstance(p, _Placeholder) and p.name not in variables]
            if missing:
                raise MissingVariablesError(missing)
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif part.name in variables:
                out.append(str(variables[part.name]))
            else:
                out.append(part.source)
        return "".join(out)


def to_format_string(template: str) -> str:
    """Rewrite a ``{{name}}`` template as a ``str.format`` (f-string style) template.

    Literal braces are doubled so ``str.format`` (and LangChain) print them as written:

    >>> to_format_string('JSON like {"a": 1} for {{ user }}')
    'JSON like {{"a": 1}} for {user}'
    >>> to_format_string('JSON like {"a": 1} for {{ user }}').format(user="Ada")
    'JSON like {"a": 1} for Ada'
    """
    out: list[str] = []
    for part in _parse(template):
        if isinstance(part, str):
            out.append(part.replace("{", "{{").replace("}", "}}"))
        else:
            out.append("{" + part.name + "}")
    return "".join(out)
