"""Untrusted text made safe to write: the one boundary every rendered report passes through.

Ids, titles and texts come from the user's corpus, which may come from the web. A rendered
report passes through :func:`safe_output` with its format's policy before it is returned:

- lone surrogates (from JSON ``"\\ud800"`` escapes; not encodable in UTF-8) become U+FFFD, in
  every format;
- C0 and C1 control characters and DEL (which move a terminal's cursor, rename its window,
  hide text or open links), the bidirectional overrides and isolates U+202A–U+202E and
  U+2066–U+2069 (which reorder what is shown), the line and paragraph separators U+2028 and
  U+2029 (a line break to many readers: a GitHub annotation or a JSON Lines record cut in
  two) and the noncharacters U+FFFE and U+FFFF (not allowed in XML) become visible escapes
  such as ``\\x1b`` and ``\\u202e`` in every format meant to be read (text, Markdown, CSV,
  HTML, GitHub, JUnit); only newline and tab are kept (and carriage return in HTML, which
  reads it as a line break);
- JSON and JSON Lines keep every value as it was (apart from surrogates): the json module
  escapes C0 controls, and the C1 controls, DEL, the bidirectional controls, the separators
  and U+FFFE/U+FFFF are written as ``\\uXXXX`` escapes, so that a report printed to a
  terminal shows them instead of obeying them.

:func:`csv_cell` neutralizes spreadsheet formulas, as OWASP recommends ("CSV injection"): a
cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``.
"""

from __future__ import annotations

import re
from typing import Literal

Policy = Literal["visible", "visible-cr", "json"]
"""How :func:`safe_output` writes the characters it does not pass through: as visible escapes
(``visible``; ``visible-cr`` also keeps carriage returns) or as JSON escapes (``json``)."""

_SURROGATE = "\ud800-\udfff"
_LAYOUT = "\u202a-\u202e\u2066-\u2069\u2028\u2029"  # bidirectional controls, separators
_UNSAFE = {
    "visible": re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_LAYOUT}\ufffe\uffff{_SURROGATE}]"),
    "visible-cr": re.compile(
        f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_LAYOUT}\ufffe\uffff{_SURROGATE}]"
    ),
    "json": re.compile(f"[\x7f-\x9f{_LAYOUT}\ufffe\uffff{_SURROGATE}]"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else f"\\u{code:04x}"


def safe_output(text: str, policy: Policy = "visible") -> str:
    """``text`` with unencodable, control and bidirectional characters replaced as
    ``policy`` says (see the module docstring).

    Example:
        >>> safe_output("id\\x1b]0;owned\\x07 \\u202eevil \\ud800")
        'id\\\\x1b]0;owned\\\\x07 \\\\u202eevil \\ufffd'
        >>> safe_output('{"id": "a\\u202eb\\x85"}', "json")
        '{"id": "a\\\\u202eb\\\\u0085"}'
    """
    if policy == "json" and text.isascii() and "\x7f" not in text:
        return text  # DEL is the only ASCII character it escapes (isascii reads a flag)
    pattern = _UNSAFE[policy]
    if pattern.search(text) is None:
        return text
    return pattern.sub(_json_escape if policy == "json" else _visible, text)


def one_line(text: str) -> str:
    """``text`` kept on one line: newline, carriage return and tab as visible escapes (for
    ids and titles in line-oriented reports, where a newline would forge a line).

    Example:
        >>> one_line("a\\nPairs\\tb")
        'a\\\\nPairs\\\\tb'
    """
    if "\n" not in text and "\r" not in text and "\t" not in text:
        return text
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def csv_cell(value: str) -> str:
    """A text cell that no spreadsheet program evaluates as a formula: ``value``, with a
    leading ``'`` when it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return.

    Example:
        >>> csv_cell('=HYPERLINK("http://example.invalid")'), csv_cell("a-1")
        ('\\'=HYPERLINK("http://example.invalid")', 'a-1')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value
