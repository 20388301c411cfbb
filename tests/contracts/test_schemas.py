"""The committed JSON Schemas match the models, and no released schema changed incompatibly.

The guard compares the models with ``contracts/schemas/released/`` (written only by the release step,
which refuses incompatible changes) and with every earlier version of those baselines in git history,
so neither ``make schemas`` nor hand-editing a baseline makes a breaking change pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contracts.events import EVENT_TYPES
from contracts.schema_compat import incompatibilities
from contracts.schema_export import (
    RELEASED_DIR,
    SCHEMA_DIR,
    IncompatibleSchemaError,
    breaking_changes,
    event_schemas,
    release_schemas,
    released_schemas,
    render,
    write_schemas,
)

ROOT = Path(__file__).resolve().parents[2]
GENERATED = event_schemas()
COMMITTED = {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMA_DIR.glob("*.json"))}
RELEASED = released_schemas()
REGISTERED = "nl.vrijwilligerscentrale.volunteer.registered.v1"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def _baseline_history() -> list[tuple[str, str]]:
    """``(revision, path)`` of every committed version of every released baseline, deleted ones included."""
    relative = str(RELEASED_DIR.relative_to(ROOT))
    log = _git("log", "--format=commit %H", "--name-status", "--", relative)
    versions: list[tuple[str, str]] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.removeprefix("commit ")
        elif line:
            status, path = line.split("\t", 1)
            # A deletion's last version is in the commit before it.
            versions.append((f"{commit}~1" if status.startswith("D") else commit, path))
    return versions


def test_every_event_type_has_a_released_baseline() -> None:
    """New types are released with the change that adds them (`make release-schemas`)."""
    assert sorted(RELEASED) == sorted(GENERATED), "run `make release-schemas` for the new types and commit them"


@pytest.mark.parametrize("event_type", sorted(RELEASED))
def test_released_schema_is_still_compatible(event_type: str) -> None:
    assert event_type in GENERATED, f"{event_type} was released and may not disappear; version a new type"
    assert incompatibilities(RELEASED[event_type], GENERATED[event_type]) == []


def test_no_baseline_ever_committed_is_broken_by_the_models() -> None:
    """Every version of a baseline in git history, so editing or deleting a baseline by hand does not help."""
    problems = []
    for revision, path in _baseline_history():
        try:
            old = json.loads(_git("show", f"{revision}:{path}"))
        except subprocess.CalledProcessError:
            continue  # beyond a shallow clone's history
        event_type = Path(path).stem
        if event_type not in GENERATED:
            problems.append(f"{event_type} (as of {revision}) is no longer generated")
            continue
        problems += [f"{event_type} (as of {revision}): {p}" for p in incompatibilities(old, GENERATED[event_type])]
    assert problems == []


@pytest.mark.parametrize("event_type", sorted(GENERATED))
def test_committed_schema_is_up_to_date(event_type: str) -> None:
    path = SCHEMA_DIR / f"{event_type}.json"
    assert path.exists(), f"run `make schemas` to commit the schema of {event_type}"
    assert path.read_text() == render(GENERATED[event_type]), "run `make schemas` and commit the result"


def test_every_event_type_is_versioned() -> None:
    assert all(name.rsplit(".", 1)[-1].startswith("v") for name in EVENT_TYPES)


def _volunteer_schema() -> dict[str, Any]:
    return json.loads(json.dumps(GENERATED[REGISTERED]))


def test_removing_a_field_fails_the_guard_even_after_the_generated_files_are_regenerated(tmp_path: Path) -> None:
    """What `make schemas` after a broken model gives: the generated file matches, the baseline does not."""
    released, generated_dir = tmp_path / "released", tmp_path / "schemas"
    shutil.copytree(RELEASED_DIR, released)
    broken = {**GENERATED, REGISTERED: _volunteer_schema()}
    del broken[REGISTERED]["properties"]["skills"]
    write_schemas(generated_dir)
    (generated_dir / f"{REGISTERED}.json").write_text(render(broken[REGISTERED]))  # "make schemas" was run

    regenerated = {path.stem: json.loads(path.read_text()) for path in generated_dir.glob("*.json")}
    assert regenerated == broken, "the generated files agree with the broken models"
    assert breaking_changes(released_schemas(released), regenerated) == {REGISTERED: ["payload.skills was removed"]}


def test_the_release_step_refuses_an_incompatible_schema_and_writes_nothing(tmp_path: Path) -> None:
    released = tmp_path / "released"
    shutil.copytree(RELEASED_DIR, released)
    before = {path.name: path.read_text() for path in released.iterdir()}
    broken = {**GENERATED, REGISTERED: _volunteer_schema()}
    broken[REGISTERED]["required"].append("district")
    broken[REGISTERED]["properties"]["district"] = {"type": "string"}
    with pytest.raises(IncompatibleSchemaError, match=r"registered\.v1: payload\.district became required"):
        release_schemas(released, broken)
    assert {path.name: path.read_text() for path in released.iterdir()} == before


def test_the_release_step_records_a_compatible_addition_and_a_new_type(tmp_path: Path) -> None:
    released = tmp_path / "released"
    shutil.copytree(RELEASED_DIR, released)
    grown = {**GENERATED, REGISTERED: _volunteer_schema()}
    grown[REGISTERED]["properties"]["shoe_size"] = {"type": "integer"}
    grown["nl.vrijwilligerscentrale.volunteer.registered.v2"] = _volunteer_schema()
    written = release_schemas(released, grown)
    assert sorted(path.name for path in written) == [
        f"{REGISTERED}.json",
        "nl.vrijwilligerscentrale.volunteer.registered.v2.json",
    ]
    assert "shoe_size" in released_schemas(released)[REGISTERED]["properties"]


def test_checker_accepts_an_added_optional_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["shoe_size"] = {"type": "integer"}
    assert incompatibilities(old, new) == []


def test_checker_refuses_a_removed_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    del new["properties"]["skills"]
    assert incompatibilities(old, new) == ["payload.skills was removed"]


def test_checker_refuses_a_new_required_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["district"] = {"type": "string"}
    new["required"].append("district")
    assert incompatibilities(old, new) == ["payload.district became required"]


def test_checker_refuses_a_changed_type_but_not_a_changed_description() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["skills"]["description"] = "reworded"
    assert incompatibilities(old, new) == []
    new["properties"]["max_distance_km"] = {"type": "string"}
    assert incompatibilities(old, new) == ["payload.max_distance_km changed type or constraints"]


def test_schema_files_are_named_after_their_type() -> None:
    for event_type, schema in COMMITTED.items():
        assert schema["$id"] == event_type
        assert Path(SCHEMA_DIR / f"{event_type}.json").exists()
