r"""Text from files shown literally in plotly figures: never as HTML, LaTeX or a template.

Plotly reads a few HTML tags in every text it draws (trace names in the
legend, category values on the axes, hover text, annotations, titles):
``<a href>`` becomes a link, ``<b>``, ``<i>``, ``<sup>``, ``<span style>``
change the look and ``<br>`` breaks the line. Text that starts and ends with
``$`` is typeset as LaTeX when MathJax is loaded, a ``hovertemplate``
replaces ``%{...}`` with trace data, and every other text (names, titles,
annotations) replaces ``%{meta}`` with the figure's ``meta`` (where the charts
keep their description). A label, wording or district name from
an uploaded file goes through :func:`plain` (or, inside a hover template,
:func:`plain_in_template`) before it reaches a figure; the figure's own markup
(``<b>``, ``<br>``) is added after, so it still works.

Plotly decodes character references (``&lt;``, ``&#36;``) when it draws a
text, so what is seen is exactly the label as written.

Examples
--------
>>> plain('<a href="http://127.0.0.1:9/x">click</a>')
'&lt;a href="http://127.0.0.1:9/x"&gt;click&lt;/a&gt;'
>>> "<b>" + plain("Drugs & <i>alcohol</i>") + "</b><br>40%"
'<b>Drugs &amp; &lt;i&gt;alcohol&lt;/i&gt;</b><br>40%'
"""

from __future__ import annotations

import html


def plain(text: object) -> str:
    """``text`` as plotly text that is drawn exactly as written.

    ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;`` and ``&gt;``, so no
    tag is read; ``$`` becomes ``&#36;``, so no LaTeX is typeset; ``%{``
    becomes ``&#37;{``, so no ``%{meta}`` is filled in. Distinct texts stay
    distinct, so escaped category values still tell groups apart.

    Parameters
    ----------
    text : object
        Any value; it is shown as ``str(text)``.

    Returns
    -------
    str

    Examples
    --------
    >>> plain("<b>bold</b> & $x^2$")
    '&lt;b&gt;bold&lt;/b&gt; &amp; &#36;x^2&#36;'
    >>> plain(12), plain("50%{meta}")
    ('12', '50&#37;{meta}')
    """
    return html.escape(str(text), quote=False).replace("$", "&#36;").replace("%{", "&#37;{")


def plain_in_template(text: object) -> str:
    """``text`` for a plotly ``hovertemplate``: as :func:`plain`, and ``%`` kept literal.

    A hover template replaces ``%{...}`` with trace data (``%{y}``,
    ``%{customdata[0]}``); ``%`` becomes ``&#37;`` so a label can never
    start a substitution.

    Parameters
    ----------
    text : object
        Any value; it is shown as ``str(text)``.

    Returns
    -------
    str

    Examples
    --------
    >>> plain_in_template("50%{y} <b>")
    '50&#37;{y} &lt;b&gt;'
    """
    return plain(text).replace("%", "&#37;")
