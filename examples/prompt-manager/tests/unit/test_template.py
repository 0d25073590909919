from __future__ import annotations

import pytest

from prompt_manager import MissingVariablesError, PromptValidationError, TemplateEngine
from prompt_manager.template import to_format_string


def test_renders_placeholders_with_spaces_and_repeats() -> None:
    engine = TemplateEngine()
    assert engine.render("{{a}}-{{ a }}-{{b}}", {"a": 1, "b": "x"}) == "1-1-x"


def test_strict_names_every_missing_variable() -> None:
    with pytest.raises(MissingVariablesError) as caught:
        TemplateEngine().render("{{b}} {{a}} {{b}}", {})
    assert caught.value.names == ("a", "b")
    assert str(caught.value) == "missing template variables: a, b"


def test_lenient_keeps_the_placeholder_as_written() -> None:
    assert TemplateEngine(strict=False).render("Hi {{ who }}!", {}) == "Hi {{ who }}!"


def test_escaped_braces_and_lone_braces_are_text() -> None:
    engine = TemplateEngine()
    assert engine.render(r"\{{literal}} {single} \n {{x}}", {"x": "y"}) == r"{{literal}} {single} \n y"
    assert engine.variables(r"\{{literal}} {{x}}") == frozenset({"x"})


@pytest.mark.parametrize("template", ["{{", "{{ 1x }}", "a {{b", "{{a.b}}", "{{}}"])
def test_malformed_placeholders_are_refused(template: str) -> None:
    with pytest.raises(PromptValidationError, match="malformed placeholder at offset"):
        TemplateEngine().validate(template)


def test_large_hostile_template_is_linear() -> None:
    template = "{{ " * 20000 + "x"
    with pytest.raises(PromptValidationError):
        TemplateEngine().validate(template)
    text = "{ }}" * 50000
    assert TemplateEngine().render(text, {}) == text


def test_to_format_string_escapes_literal_braces() -> None:
    fmt = to_format_string('{"a": {{v}}} and \\{{raw}}')
    assert fmt == '{{"a": {v}}} and {{{{raw}}}}'
    assert fmt.format(v=1) == '{"a": 1} and {{raw}}'


def test_repr() -> None:
    assert repr(TemplateEngine(strict=False)) == "TemplateEngine(strict=False)"
