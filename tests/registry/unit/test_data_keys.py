"""The registry seals every event type that has sealed fields (a new one must not leave in clear)."""

from __future__ import annotations

from contracts.events import EVENT_TYPES
from registry.data_keys import _PROFILE_EVENTS


def test_every_event_type_with_sealed_fields_is_sealed_by_the_registry() -> None:
    with_sealed = {model for model in EVENT_TYPES.values() if model.sealed_fields}

    assert with_sealed == set(_PROFILE_EVENTS)
    for model in with_sealed:
        assert "sealed_special" in model.model_fields
        assert set(model.sealed_fields) <= set(model.model_fields)
