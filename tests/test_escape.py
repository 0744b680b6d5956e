"""Text from files renders as exactly that text in markdown (links, images, HTML disarmed)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from listening.explorer.escape import WORD_JOINER, escape_markdown

# CommonMark with GitHub's tables and strikethrough, close to Streamlit's remark-gfm.
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
TRICKY = st.sampled_from(
    [
        "![x](http://127.0.0.1:9/col.png)",
        "[link](javascript:alert(1))",
        "<img src=http://127.0.0.1:9/a.png>",
        "**bold** _it_ `code`",
        "# heading",
        "1. item",
        "- item",
        "> quote",
        "| a | b |\n|---|---|",
        ":red[colour] :material/home: $x^2$",
        "<http://127.0.0.1:9/auto>",
        "&lt;b&gt; &amp;",
        "    indented code",
        "a\\",
        "=HYPERLINK(1)",
        "---",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=20)), max_size=5).map("".join)


def _rendered(markdown: str) -> tuple[list[str], str]:
    """Token types and the text a CommonMark renderer would show for ``markdown``."""
    blocks = PARSER.parse(markdown)
    kinds = [token.type for token in blocks]
    shown = []
    for token in blocks:
        for child in token.children or []:
            kinds.append(child.type)
            shown.append("\n" if child.type in ("softbreak", "hardbreak") else child.content)
    return kinds, "".join(shown)


@given(TEXT)
def test_escaped_text_renders_as_itself_and_nothing_else(text):
    kinds, shown = _rendered(escape_markdown(text))
    lines = [line.strip() for line in re.split(r"\r\n?|\n|\u2028|\u2029", text)]
    expected = "\n".join(line for line in lines if line)
    # Nothing but one paragraph of text and line breaks: no link, image, HTML, code, heading.
    assert set(kinds) <= {
        "paragraph_open",
        "paragraph_close",
        "inline",
        "text",
        "softbreak",
        "hardbreak",
    }
    # CommonMark trims a paragraph's outer spaces and turns NUL into U+FFFD.
    shown = shown.replace(WORD_JOINER, "")
    assert shown.strip(" \t\n") == expected.replace("\x00", "\ufffd").strip(" \t\n")


def test_the_issue_column_name_is_no_image():
    name = "![x](http://127.0.0.1:9/col.png)"
    assert "<img" in PARSER.render(name)  # unescaped, markdown would fetch it
    html = PARSER.render(escape_markdown(name))
    assert "<img" not in html and "href" not in html
    assert html.replace(WORD_JOINER, "") == f"<p>{name}</p>\n"
