"""What the accessibility tests read from a page's HTML: the ids it has and the ids its
attributes name."""

from __future__ import annotations

from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []
        self.fragment_links: list[str] = []
        self.post_actions: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        found = {name: value or "" for name, value in attrs}
        if found.get("id"):
            self.ids.add(found["id"])
        if "aria-describedby" in found:
            what = f"<{tag} name={found.get('name') or found.get('id') or '?'}>"
            self.described.append((what, found["aria-describedby"]))
        if tag == "a" and found.get("href", "").startswith("#") and len(found["href"]) > 1:
            self.fragment_links.append(found["href"][1:])
        if tag == "form" and found.get("method", "").lower() == "post":
            self.post_actions.append(found.get("action", ""))

    handle_startendtag = handle_starttag


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def describedby_missing(html: str) -> list[str]:
    """Each aria-describedby id that names no element on the page, as "<tag name=…> → id"."""
    page = read_page(html)
    return [
        f"{what} → {ident}"
        for what, value in page.described
        for ident in value.split()
        if ident not in page.ids
    ] + [f"an aria-describedby with no id: {what}" for what, value in page.described if not value]
