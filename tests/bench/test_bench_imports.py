"""The import benchmark at a tiny size on the session's PostgreSQL: it imports, compares and profiles (not how fast)."""

from __future__ import annotations

import pytest

from bench.imports import markdown, run

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)
async def test_the_import_benchmark_imports_every_row_and_compares_it_with_a_plain_copy(
    postgres_server_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_server_dsn)
    result = await run(volunteers=60, hours=400, pairs=1, seed=18, profile=True, out=None)
    # Each import is asserted inside to report no problems: every generated row was stored.
    assert (result["volunteers"]["rows"], result["hours"]["rows"], result["combined"]["rows"]) == (60, 400, 460)
    for part in ("volunteers", "hours"):
        assert result[part]["ratio"] > 0
        assert result[part]["where_the_import_time_goes_s"]
        assert result[part]["best_possible_ratio"] > 0
        assert result[part]["ratio_to_write_floor"] > 0
    # The write floor copies exactly the rows the import stored, table by table.
    assert result["rows_written"]["volunteers"]["volunteers"] == 60
    assert result["rows_written"]["volunteers"]["import_links"] == 60
    assert result["rows_written"]["hours"]["historic_hours"] == 400
    assert set(result["profile"]) == {"volunteers", "hours"}
    assert all(result["profile"][kind] for kind in ("volunteers", "hours"))
    assert "400 historic hours" in markdown(result)
