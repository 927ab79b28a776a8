"""Visible text of an HTML page, with nothing executed and nothing fetched.

The standard library's tokenizer is not recursive, so deeply nested markup never exhausts the
stack. It does rescan to the end of the page for each construct left open (``<!--`` without
``-->``, ``</`` without ``>``), which makes a few hundred kilobytes of them take minutes;
:func:`defuse` settles those constructs first, in one pass, as a browser would read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Content of these elements is never shown to a reader.
_HIDDEN = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head"}
# These start a new line of text.
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt", "figcaption",
    "main", "aside", "nav", "td", "th",
}  # fmt: skip
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source"}
_META_KEYS = {
    "og:title": "title",
    "og:site_name": "source",
    "og:url": "url",
    "article:published_time": "published",
    "date": "published",
    "dc.date": "published",
}


@dataclass
class HtmlPage:
    text: str
    meta: dict[str, str] = field(default_factory=dict)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.in_title = False
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.language = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.language = dict(attrs).get("lang") or ""
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            values = dict(attrs)
            key = (values.get("property") or values.get("name") or "").lower()
            content = (values.get("content") or "").strip()
            if key in _META_KEYS and content and len(content) < 2000:
                self.meta.setdefault(_META_KEYS[key], content)
        elif tag == "link":
            values = dict(attrs)
            if (values.get("rel") or "").lower() == "canonical" and values.get("href"):
                self.meta.setdefault("url", values["href"] or "")
        if tag in _HIDDEN and tag not in _VOID:
            self.hidden_depth += 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.hidden_depth:
            self.parts.append(data)


def defuse(markup: str) -> str:
    """The same page with no construct left open: comments removed (an unclosed one hides the
    rest of the page, as in a browser), ``<![`` sections made plain bogus comments, and every
    ``<`` after the last ``>`` written as text, since no tag can end there."""
    parts: list[str] = []
    position = 0
    while True:
        start = markup.find("<!--", position)
        if start == -1:
            parts.append(markup[position:])
            break
        parts.append(markup[position:start])
        end = markup.find("-->", start + 2)  # from +2 so that "<!-->" is an empty comment
        if end == -1:
            break
        position = end + 3
    text = "".join(parts).replace("<![", "<!_[")
    last = text.rfind(">")
    return text[: last + 1] + text[last + 1 :].replace("<", "&lt;")


def html_to_text(markup: str) -> HtmlPage:
    """Readable text (paragraphs on their own lines) and the page's own metadata."""
    parser = _VisibleText()
    parser.feed(defuse(markup))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    meta = dict(parser.meta)
    title = " ".join("".join(parser.title_parts).split())
    if title:
        meta["title"] = title
    if parser.language:
        meta["language"] = parser.language.split("-")[0].lower()
    return HtmlPage(text=text, meta=meta)
