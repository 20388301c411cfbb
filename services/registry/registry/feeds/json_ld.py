"""A task as a schema.org ``JobPosting`` (``employmentType`` VOLUNTEER) in JSON-LD, for search engines.

schema.org has no volunteer-specific posting type; ``JobPosting`` with ``employmentType: "VOLUNTEER"`` is
what Google's job search and the aggregators read. Google requires ``title``, ``description`` (HTML),
``datePosted``, ``hiringOrganization`` and ``jobLocation`` (or ``jobLocationType`` TELECOMMUTE with
``applicantLocationRequirements``); ``validThrough`` when the posting closes. The contact is the centrale's.
"""

from __future__ import annotations

import html
from datetime import datetime, time
from typing import Any

from registry.feeds.ical import AMSTERDAM
from registry.feeds.text import hours_text, schedule_lines, what_is_asked
from registry.repositories import Vacature

__all__ = ["REQUIRED", "job_posting"]

# The properties a JobPosting must have (Google Search Central's list), checked by the tests.
REQUIRED = ("@context", "@type", "title", "description", "datePosted", "hiringOrganization")


def job_posting(
    vacature: Vacature,
    *,
    url: str,
    centrale_name: str,
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
) -> dict[str, Any]:
    """The JSON-LD record of a published task (its page's ``<script type="application/ld+json">``)."""
    record: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "@id": url,
        "url": url,
        "title": vacature.title,
        "description": description_html(vacature),
        "datePosted": vacature.published_at.isoformat(),
        "employmentType": "VOLUNTEER",
        "hiringOrganization": {"@type": "Organization", "name": vacature.organisation_name},
        "identifier": {"@type": "PropertyValue", "name": centrale_name, "value": str(vacature.id)},
        "directApply": False,
        "totalJobOpenings": vacature.capacity,
        "workHours": hours_text(vacature.hours_per_week),
        "applicationContact": _contact(centrale_name, email, phone, website),
    }
    if vacature.postcode_area is not None:
        address: dict[str, Any] = {
            "@type": "PostalAddress",
            "postalCode": vacature.postcode_area,
            "addressCountry": "NL",
        }
        if vacature.place:
            address["addressLocality"] = vacature.place
        record["jobLocation"] = {"@type": "Place", "address": address}
    else:
        record["jobLocationType"] = "TELECOMMUTE"
        record["applicantLocationRequirements"] = {"@type": "Country", "name": "NL"}
    if vacature.closing_date is not None:
        record["validThrough"] = datetime.combine(vacature.closing_date, time(23, 59, 59), AMSTERDAM).isoformat()
    if vacature.one_off_start is not None:
        record["jobStartDate"] = vacature.one_off_start.astimezone(AMSTERDAM).date().isoformat()
    if vacature.skills:
        record["skills"] = ", ".join(vacature.skills)
    if vacature.offer:
        record["jobBenefits"] = vacature.offer
    return record


def description_html(vacature: Vacature) -> str:
    """The description as HTML paragraphs (escaped), then what is asked, the schedule and what is offered."""
    paragraphs = [line.strip() for line in vacature.description.splitlines() if line.strip()]
    parts = [f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs]
    asked = [*what_is_asked(vacature), *schedule_lines(vacature)]
    parts.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in asked) + "</ul>")
    if vacature.offer:
        parts.append(f"<p>Wat wij bieden: {html.escape(vacature.offer)}</p>")
    return "".join(parts)


def _contact(name: str, email: str | None, phone: str | None, website: str | None) -> dict[str, Any]:
    contact: dict[str, Any] = {"@type": "ContactPoint", "name": name, "contactType": "vrijwilligerscentrale"}
    if email:
        contact["email"] = email
    if phone:
        contact["telephone"] = phone
    if website:
        contact["url"] = website
    return contact
