r"""Text from files shown as text: markdown escaping for the explorer's pages.

Streamlit renders markdown in ``st.markdown``, ``st.caption``, ``st.error``
and friends, in widget labels and in help tooltips. A label, wording, file
name or column name from an upload must never become a link, an image the
browser fetches, a heading or coloured text: :func:`escape_markdown` makes any
string display literally there.

Examples
--------
>>> print(escape_markdown("![x](http://127.0.0.1:9/col.png)"))
\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/col\.png\)
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_LINE_BREAK = re.compile(r"\r\n?|\n|\u2028|\u2029")


def escape_markdown(text: object) -> str:
    r"""``text`` as a markdown string that renders as exactly that text.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows
    it for all of them), which disarms links, images, emphasis, headings,
    lists, tables, HTML, LaTeX (``$``) and Streamlit's ``:color[...]``
    directives. Each line break becomes a markdown line break; blank lines
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
    >>> print(escape_markdown("**Fenland** <b>"))
    \*\*Fenland\*\* \<b\>
    >>> escape_markdown("line one\n    # line two")
    'line one  \n\\# line two'
    >>> escape_markdown(12)
    '12'
    """
    lines = [line.strip() for line in _LINE_BREAK.split(str(text))]
    return "  \n".join(_PUNCTUATION.sub(r"\\\1", line) for line in lines if line)
