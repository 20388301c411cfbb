"""Generated documentation stays in step with the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.asyncapi import SERVICES, asyncapi_document
from common.readme_tables import render_readme

ROOT = Path(__file__).resolve().parents[2]


def test_readme_tables_match_the_settings_and_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text()
    assert render_readme(readme) == readme, "run `make docs` and commit README.md"


@pytest.mark.parametrize("service", SERVICES)
def test_committed_asyncapi_document_is_current(service: str) -> None:
    import importlib

    spec = importlib.import_module(f"{service}.main").SPEC
    committed = json.loads((ROOT / "docs" / "asyncapi" / f"{service}.json").read_text())
    assert committed == json.loads(json.dumps(asyncapi_document(spec), default=str)), "run `make docs`"
