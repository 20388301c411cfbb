"""Sealing volunteers' profiles per volunteer: opens with the volunteer's key only, and not at all once shredded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from common.errors import ContractViolation
from common.sealing import (
    _SEALED_CONTEXT,
    KeyEncryptionKey,
    _seal,
    new_data_key,
    new_region_key,
    open_profile,
    placeholders,
    seal_profile,
)
from contracts.events import VolunteerProfileUpdated, VolunteerRegistered

# A profile with a value other than the default in every field that describes the person.
_PROFILE: dict[str, object] = {
    "postcode_area": "9712",
    "age_band": "30-44",
    "skills": ["koken"],
    "interests": ["tuinieren"],
    "languages": ["tr"],
    "availability": [{"weekday": 3, "start": "09:00", "end": "12:00"}],
    "one_off_dates": ["2027-03-14"],
    "max_distance_km": 17,
    "commitment": "structural",
    "needs_support": True,
    "regional_matching_consent": True,
    "matching_consent": True,
    "appreciation_messages_consent": True,
    "vog_valid_until": "2028-02-29",
    "target_groups": ["statushouder"],
}
# What may stay in the clear: ids, moments, how the record came in, and the sealed text itself.
_CLEAR = {"volunteer_id", "centrale_id", "registered_at", "registered_by", "updated_at", "imported", "import_source"}


def _registered(**fields: object) -> VolunteerRegistered:
    return VolunteerRegistered.model_validate(
        {"volunteer_id": uuid4(), "centrale_id": "vc-test", "registered_at": datetime.now(UTC), **fields}
    )


def test_sealed_event_carries_no_profile_value_in_clear() -> None:
    event = _registered(**_PROFILE)

    sealed = seal_profile(event, new_data_key())

    text = sealed.model_dump_json(exclude={"sealed_special", "volunteer_id", "registered_at"})  # random digits
    for value in ("9712", "30-44", "koken", "tuinieren", '"tr"', "09:00", "2027-03-14", "17", "structural"):
        assert value not in text
    assert "statushouder" not in text
    assert "2028-02-29" not in text
    assert sealed.sealed_special is not None
    assert (sealed.needs_support, sealed.matching_consent, sealed.regional_matching_consent) == (False, False, False)


def test_the_clear_part_of_a_sealed_event_is_the_same_for_every_profile() -> None:
    volunteer_id, at = uuid4(), datetime.now(UTC)
    full = _registered(volunteer_id=volunteer_id, registered_at=at, **_PROFILE)
    bare = _registered(volunteer_id=volunteer_id, registered_at=at)

    def clear(event: VolunteerRegistered) -> dict[str, object]:
        return {k: v for k, v in json.loads(seal_profile(event, new_data_key()).model_dump_json()).items()
                if k != "sealed_special"}  # fmt: skip

    assert clear(full) == clear(bare)  # nothing in the clear tells one volunteer's profile from another's


def test_every_profile_field_is_sealed_or_named_clear() -> None:
    for model in (VolunteerRegistered, VolunteerProfileUpdated):
        clear = set(model.model_fields) - set(model.sealed_fields) - {"sealed_special"}
        assert clear <= _CLEAR, f"{model.__name__}: a new field describing the person must be sealed"
        assert set(_PROFILE) == set(model.sealed_fields)


def test_the_placeholders_are_the_models_defaults_and_no_two_events_share_one() -> None:
    first = seal_profile(_registered(**_PROFILE), new_data_key())
    second = seal_profile(_registered(**_PROFILE), new_data_key())

    for model in (VolunteerRegistered, VolunteerProfileUpdated):
        expected = {
            name: model.sealed_placeholders.get(name, field.get_default(call_default_factory=True))
            for name, field in model.model_fields.items()
            if name in model.sealed_fields
        }
        assert placeholders(model) == expected
    first.skills.append("koken")  # the placeholders are made once per model: each event still gets its own list
    assert (first.skills, second.skills) == (["koken"], [])


def test_the_volunteers_key_opens_what_was_sealed_for_them() -> None:
    key = new_data_key()
    event = _registered(**_PROFILE)

    opened = open_profile(seal_profile(event, key), key)

    assert opened == event
    assert opened.postcode_area == "9712"
    assert opened.one_off_dates == [date(2027, 3, 14)]
    assert opened.target_groups == ["statushouder"]


def test_without_the_key_the_event_applies_with_no_profile_and_no_consent() -> None:
    event = seal_profile(_registered(**_PROFILE), new_data_key())

    shredded = open_profile(event, None)

    assert (shredded.postcode_area, shredded.age_band, shredded.skills, shredded.languages) == (None, None, [], [])
    assert (shredded.needs_support, shredded.target_groups, shredded.sealed_special) == (False, [], None)
    assert (shredded.matching_consent, shredded.regional_matching_consent) == (False, False)  # never proposed


def test_events_sealed_when_only_special_categories_were_sealed_still_open() -> None:
    key = new_data_key()
    event = _registered(postcode_area="9712", skills=["koken"])
    special = json.dumps({"needs_support": True, "target_groups": ["statushouder"]}).encode()
    older = event.model_copy(
        update={"sealed_special": _seal(key, special, _SEALED_CONTEXT + str(event.volunteer_id).encode())}
    )

    opened = open_profile(older, key)
    shredded = open_profile(older, None)

    assert (opened.postcode_area, opened.skills, opened.target_groups) == ("9712", ["koken"], ["statushouder"])
    assert (shredded.postcode_area, shredded.skills, shredded.target_groups) == (None, [], [])


def test_another_volunteers_key_or_an_altered_text_is_a_contract_violation() -> None:
    key = new_data_key()
    event = seal_profile(_registered(target_groups=["statushouder"]), key)
    other_volunteer = event.model_copy(update={"volunteer_id": uuid4()})

    with pytest.raises(ContractViolation):
        open_profile(event, new_data_key())
    with pytest.raises(ContractViolation):
        open_profile(other_volunteer, key)  # sealed for one id, it opens for no other


def test_events_from_before_sealing_keep_their_clear_fields() -> None:
    old = VolunteerProfileUpdated(
        volunteer_id=uuid4(), centrale_id="vc-test", updated_at=datetime.now(UTC), target_groups=["statushouder"]
    )

    assert open_profile(old, None).target_groups == ["statushouder"]


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
