"""Base class of every event payload and the registry of event types."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = ["EVENT_TYPES", "Event", "event_type_of"]


class Event(BaseModel):
    """A fact that happened, as published on Kafka: frozen, flat, free of personal data.

    Subclasses set ``event_type`` (the versioned CloudEvents ``type``), ``topic`` (the stream it travels
    on, from the catalogue) and ``subject_field`` (the payload field holding the aggregate id, which is
    also the Kafka key). Consumers ignore fields they do not know, so adding an optional field is a
    compatible change; anything else is a new versioned type.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    subject_field: ClassVar[str]
    # Fields that travel sealed under the subject's data key (crypto-shredding, issue 16), at their placeholders
    # in the clear; consumers that need them open them before their handlers (common.sealing).
    sealed_fields: ClassVar[tuple[str, ...]] = ()
    # What a sealed field reads as in the clear and once its key is gone, where that is not the field's default
    # (a shredded volunteer must not read as consenting).
    sealed_placeholders: ClassVar[dict[str, object]] = {}

    def subject(self) -> str:
        """Id of the aggregate this event is about: the Kafka key and the CloudEvents subject."""
        return str(getattr(self, self.subject_field))


EVENT_TYPES: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    """Class decorator: make an event type known to every consumer's decoder."""
    if cls.event_type in EVENT_TYPES:
        raise ValueError(f"duplicate event type {cls.event_type}")
    EVENT_TYPES[cls.event_type] = cls
    return cls


def event_type_of(type_name: str) -> type[Event] | None:
    """The payload model for a CloudEvents ``type``, or None when the type is unknown."""
    return EVENT_TYPES.get(type_name)
