r"""Text from files shown as text: markdown (and chart) escaping for the explorer's pages.

Streamlit renders markdown in ``st.markdown``, ``st.caption``, ``st.error``
and friends, in widget labels and in help tooltips. A label, wording, file
name or column name from an upload must never become a link, an image the
browser fetches, a heading or coloured text: :func:`escape_markdown` makes any
string display literally there.

Examples
--------
>>> escape_markdown("![x](http://x.org/a.png)").replace(WORD_JOINER, "")
'&#33;&#91;x&#93;&#40;http&#58;&#47;&#47;x&#46;org&#47;a&#46;png&#41;'
"""

from __future__ import annotations

import re

from listening.publish.plotly_text import plain

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_LINE_BREAK = re.compile(r"\r\n?|\n|\u2028|\u2029")
_AUTOLINK = re.compile(r"(@|:(?=/)|(?i:www))")
WORD_JOINER = "\u2060"
"""Invisible, zero-width; put where an autolink would otherwise start."""


def escape_markdown(text: object) -> str:
    r"""``text`` as a markdown string that renders as exactly that text.

    Every ASCII punctuation character is written as a numeric character
    reference (``&#33;`` for ``!``), which the renderer shows as that
    character but never reads as markup: this disarms links, images,
    emphasis, headings, lists, tables, HTML, LaTeX (``$``) and Streamlit's
    ``:color[...]`` directives. GitHub-style autolinks of bare addresses
    (``www.x.org``, ``http://x.org``, ``name@x.org``) are found in the text
    after it is decoded, so an invisible word joiner (U+2060) goes after each
    ``@``, ``www`` and ``:`` before ``/``, where it stops them without changing what is seen.
    Each line break becomes a markdown line break; blank lines
    and the spaces around each line are dropped, so no line can start a block
    (not even indented code).

    Parameters
    ----------
    text : object
        Any value; it is shown as ``str(text)``.

    Returns
    -------
    str

    Examples
    --------
    >>> escape_markdown("**Fenland** <b>")
    '&#42;&#42;Fenland&#42;&#42; &#60;b&#62;'
    >>> escape_markdown("line one\n    # line two")
    'line one  \n&#35; line two'
    >>> escape_markdown(12)
    '12'
    """
    lines = [line.strip() for line in _LINE_BREAK.split(str(text))]
    lines = [_AUTOLINK.sub(rf"\1{WORD_JOINER}", line) for line in lines if line]
    return "  \n".join(_PUNCTUATION.sub(_reference, line) for line in lines)


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(1))};"


def escape_chart_text(text: object) -> str:
    """``text`` for a plotly title or label: shown as written, never as HTML.

    Plotly reads a few HTML tags in text (``<a href>``, ``<b>``, ``<br>``...);
    escaping ``&``, ``<`` and ``>`` as entities makes it show them literally
    (and ``$`` too, against LaTeX). The same as
    :func:`listening.publish.plotly_text.plain`, which the charts use.

    Examples
    --------
    >>> escape_chart_text('<a href="http://x.org">Fenland</a> & co')
    '&lt;a href="http://x.org"&gt;Fenland&lt;/a&gt; &amp; co'
    """
    return plain(text)
