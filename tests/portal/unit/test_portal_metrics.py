"""The portal's /metrics: its pages per route template (never a raw path), in the Prometheus text format."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


async def test_pages_are_counted_per_route_template_on_metrics(portal: httpx.AsyncClient) -> None:
    assert (await portal.get("/health/live")).status_code == 200
    assert (await portal.get("/no-such-page/4f1c")).status_code == 404
    scraped = await portal.get("/metrics")
    assert scraped.status_code == 200
    requests = {
        (sample.labels["route"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
        if sample.name == "regio_http_requests_total" and sample.labels["service"] == "portal"
    }
    assert requests == {("/health/live", "200"): 1, ("unmatched", "404"): 1}
    assert "4f1c" not in scraped.text
