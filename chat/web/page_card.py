"""What a web page says of itself: its OpenGraph / Twitter card title, description, site
name and image, read with the standard library's HTML parser (never regexes), from the
head only. Text is plain (entities decoded, whitespace folded, cut to a length); the
page renders it as text, never as HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

LIMITS = {"title": 200, "description": 500, "site_name": 100}
# meta property/name -> field; the first one a page gives wins, OpenGraph first.
META = {
    "og:title": "title",
    "twitter:title": "title",
    "og:description": "description",
    "twitter:description": "description",
    "description": "description",
    "og:site_name": "site_name",
    "og:image": "image",
    "og:image:url": "image",
    "og:image:secure_url": "image",
    "twitter:image": "image",
    "twitter:image:src": "image",
}
PRIORITY = {key: n for n, key in enumerate(META)}


@dataclass(frozen=True)
class PageCard:
    title: str
    description: str
    site_name: str
    image_url: str | None  # absolute http(s), still to be fetched through the door


class HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, tuple[int, str]] = {}
        self.title: list[str] = []
        self.in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            values = {name: value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key in META and values.get("content", "").strip():
                field, rank = META[key], PRIORITY[key]
                if field not in self.found or rank < self.found[field][0]:
                    self.found[field] = (rank, values["content"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.done:
            self.title.append(data)


def plain(text: str, field: str) -> str:
    folded = " ".join(text.split())
    limit = LIMITS[field]
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"


def read_card(html: str, page_url: str) -> PageCard | None:
    """The page's card, or None when it names neither a title nor a description."""
    reader = HeadReader()
    reader.feed(html)
    reader.close()
    found = {field: value for field, (_, value) in reader.found.items()}
    title = plain(found.get("title") or "".join(reader.title), "title")
    description = plain(found.get("description", ""), "description")
    if not (title or description):
        return None
    image = found.get("image")
    image_url = urljoin(page_url, image.strip()) if image else None
    if image_url and urlsplit(image_url).scheme not in ("http", "https"):
        image_url = None
    site_name = plain(found.get("site_name") or urlsplit(page_url).hostname or "", "site_name")
    return PageCard(title, description, site_name, image_url)
