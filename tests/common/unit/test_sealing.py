"""Sealing special categories per volunteer: opens with the volunteer's key only, and not at all once shredded."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from common.errors import ContractViolation
from common.sealing import KeyEncryptionKey, new_data_key, new_region_key, open_special, seal_special
from contracts.events import VolunteerProfileUpdated, VolunteerRegistered


def _registered(**fields: object) -> VolunteerRegistered:
    return VolunteerRegistered.model_validate(
        {"volunteer_id": uuid4(), "centrale_id": "vc-test", "registered_at": datetime.now(UTC), **fields}
    )


def test_sealed_event_carries_no_special_category_in_clear() -> None:
    event = _registered(needs_support=True, target_groups=["statushouder"], skills=["koken"])

    sealed = seal_special(event, new_data_key())

    text = sealed.model_dump_json()
    assert "statushouder" not in text
    assert sealed.needs_support is False
    assert sealed.target_groups == []
    assert sealed.sealed_special is not None
    assert sealed.skills == ["koken"]  # only the special categories are sealed


def test_the_volunteers_key_opens_what_was_sealed_for_them() -> None:
    key = new_data_key()
    event = _registered(needs_support=True, target_groups=["statushouder", "55plus"])

    opened = open_special(seal_special(event, key), key)

    assert opened.needs_support is True
    assert opened.target_groups == ["statushouder", "55plus"]
    assert opened.sealed_special is None


def test_without_the_key_the_event_applies_without_special_categories() -> None:
    event = seal_special(_registered(needs_support=True, target_groups=["statushouder"]), new_data_key())

    shredded = open_special(event, None)

    assert (shredded.needs_support, shredded.target_groups, shredded.sealed_special) == (False, [], None)


def test_another_volunteers_key_or_an_altered_text_is_a_contract_violation() -> None:
    key = new_data_key()
    event = seal_special(_registered(target_groups=["statushouder"]), key)
    other_volunteer = event.model_copy(update={"volunteer_id": uuid4()})

    with pytest.raises(ContractViolation):
        open_special(event, new_data_key())
    with pytest.raises(ContractViolation):
        open_special(other_volunteer, key)  # sealed for one id, it opens for no other


def test_events_from_before_sealing_keep_their_clear_fields() -> None:
    old = VolunteerProfileUpdated(
        volunteer_id=uuid4(), centrale_id="vc-test", updated_at=datetime.now(UTC), target_groups=["statushouder"]
    )

    assert open_special(old, None).target_groups == ["statushouder"]


def test_a_data_key_unwraps_only_with_the_region_key_and_for_its_volunteer() -> None:
    kek = KeyEncryptionKey.from_text(new_region_key())
    volunteer_id = uuid4()
    key = new_data_key()
    wrapped = kek.wrap(key, volunteer_id)

    assert kek.unwrap(wrapped, volunteer_id) == key
    with pytest.raises(ValueError, match="does not open"):
        kek.unwrap(wrapped, uuid4())
    with pytest.raises(ValueError, match="does not open"):
        KeyEncryptionKey.from_text(new_region_key()).unwrap(wrapped, volunteer_id)
