"""Published tasks as an Atom 1.0 feed (RFC 4287), for a centrale's website and feed readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from registry.feeds.json_ld import description_html
from registry.feeds.text import schedule_lines
from registry.repositories import Vacature

__all__ = ["ATOM", "FeedInfo", "atom_feed"]

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself (the same for its Atom and JSON forms)."""

    title: str
    id: str
    """A permanent IRI for the feed (never changes, even if its address does)."""
    self_url: str
    """Where this feed is fetched."""
    home_url: str
    """The human page the feed belongs to (the vacaturebank)."""
    author: str
    """The centrale (or the region) that publishes it."""
    updated: datetime
    """When an entry last changed (the feed's own moment when it is empty)."""


def atom_feed(info: FeedInfo, entries: Sequence[tuple[Vacature, str]]) -> bytes:
    """The feed as UTF-8 XML; ``entries`` pairs each task with its public page's URL."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(_q("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": "nl"})
    _text(feed, "id", info.id)
    _text(feed, "title", info.title)
    _text(feed, "updated", info.updated.isoformat())
    ET.SubElement(_text(feed, "author", None), _q("name")).text = info.author
    ET.SubElement(feed, _q("link"), {"rel": "self", "type": "application/atom+xml", "href": info.self_url})
    ET.SubElement(feed, _q("link"), {"rel": "alternate", "type": "text/html", "href": info.home_url})
    _text(feed, "generator", "regio-platform registry")
    for vacature, url in entries:
        entry = ET.SubElement(feed, _q("entry"))
        _text(entry, "id", f"urn:uuid:{vacature.id}")
        _text(entry, "title", vacature.title)
        _text(entry, "published", vacature.published_at.isoformat())
        _text(entry, "updated", (vacature.updated_at or vacature.published_at).isoformat())
        ET.SubElement(_text(entry, "author", None), _q("name")).text = vacature.organisation_name
        ET.SubElement(entry, _q("link"), {"rel": "alternate", "type": "text/html", "href": url})
        ET.SubElement(entry, _q("category"), {"term": vacature.theme})
        summary = "; ".join(part for part in (_area(vacature), *schedule_lines(vacature)) if part)
        _text(entry, "summary", summary)
        content = _text(entry, "content", description_html(vacature))
        content.set("type", "html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _area(vacature: Vacature) -> str:
    return " ".join(part for part in (vacature.postcode_area, vacature.place, vacature.district) if part)


def _q(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _text(parent: ET.Element, name: str, text: str | None) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    element.text = text
    return element
