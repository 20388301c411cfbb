"""Published tasks as a JSON Feed 1.1 (jsonfeed.org), with the task's facts in a ``_vacature`` extension."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.feeds.atom import FeedInfo
from registry.feeds.json_ld import description_html
from registry.feeds.text import schedule_lines, what_is_asked
from registry.repositories import Vacature

__all__ = ["JSON_FEED_VERSION", "json_feed"]

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(info: FeedInfo, entries: Sequence[tuple[Vacature, str]]) -> dict[str, Any]:
    """The feed as a JSON object; ``entries`` pairs each task with its public page's URL."""
    return {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.self_url,
        "language": "nl",
        "authors": [{"name": info.author}],
        "items": [_item(vacature, url) for vacature, url in entries],
    }


def _item(vacature: Vacature, url: str) -> dict[str, Any]:
    """One task: JSON Feed's fields, and its facts for a centrale's own widget under ``_vacature``."""
    return {
        "id": str(vacature.id),
        "url": url,
        "title": vacature.title,
        "content_html": description_html(vacature),
        "summary": vacature.description[:300],
        "date_published": vacature.published_at.isoformat(),
        "date_modified": (vacature.updated_at or vacature.published_at).isoformat(),
        "authors": [{"name": vacature.organisation_name}],
        "tags": [vacature.theme],
        "_vacature": {
            "organisation": vacature.organisation_name,
            "theme": vacature.theme,
            "area": {"pc4": vacature.postcode_area, "place": vacature.place, "district": vacature.district},
            "kind": "one_off" if vacature.one_off_start is not None else "structural",
            "schedule": schedule_lines(vacature),
            "asked": what_is_asked(vacature),
            "offer": vacature.offer,
            "hours_per_week": float(vacature.hours_per_week),
            "vog_required": vacature.vog_required,
            "team_suitable": vacature.team_suitable,
            "support_accessible": vacature.support_accessible,
            "closing_date": vacature.closing_date.isoformat() if vacature.closing_date else None,
        },
    }
