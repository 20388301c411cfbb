"""Talk to a running reporting service over HTTP: load its configuration, download a period report.

``python -m reporting report --municipality GM0344 --period 2026`` (see ``reporting.cli``) and the
local demo use this; it only talks HTTP, so it works against any region's reporting service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

__all__ = ["CHART_NAMES", "configure", "export_report"]

CHART_NAMES = ("trends", "hours-by-theme", "gaps-by-district", "supply-demand", "top-gaps")


async def configure(
    base_url: str,
    token: str,
    centrales: Mapping[str, tuple[str, str, str]],
    districts: Iterable[tuple[str, str, str]] = (),
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """As region ops: ``centrales`` id → (municipality code, municipality name, centrale name); PC4 → (wijk, name)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, transport=transport, timeout=30) as client:
        for centrale, (code, municipality, name) in centrales.items():
            body = {"municipality_code": code, "municipality_name": municipality, "centrale_name": name}
            (await client.put(f"/v1/ops/centrales/{centrale}", json=body)).raise_for_status()
        rows = [{"postcode_area": a, "district_code": c, "district_name": n} for a, c, n in districts]
        if rows:
            (await client.put("/v1/ops/districts", json={"districts": rows})).raise_for_status()


async def export_report(
    base_url: str,
    token: str,
    municipality: str,
    period: str,
    out_dir: Path,
    *,
    timeout: float = 60.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Path]:
    """Write ``<code>-<period>.html``, ``.csv``, ``.json`` and ``-<chart>.svg`` files; return their paths by kind."""
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240  (once, before any request)
    stem = f"{municipality}-{period}"
    base = f"{base_url.rstrip('/')}/v1/municipalities/{municipality}/reports/{period}"
    wanted = {
        "html": (f"{base}/report.html", out_dir / f"{stem}.html"),
        "csv": (f"{base}/report.csv", out_dir / f"{stem}.csv"),
        "json": (base, out_dir / f"{stem}.json"),
        **{chart: (f"{base}/charts/{chart}.svg", out_dir / f"{stem}-{chart}.svg") for chart in CHART_NAMES},
    }
    written: dict[str, Path] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=timeout, headers=headers, transport=transport) as client:
        for kind, (url, path) in wanted.items():
            response = await client.get(url)
            response.raise_for_status()
            path.write_bytes(response.content)
            written[kind] = path
    return written
