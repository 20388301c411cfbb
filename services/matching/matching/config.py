"""Settings of the matching service (environment variables prefixed ``MATCHING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Matching settings."""

    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", frozen=True)

    proposals_per_task: int = Field(5, ge=1, le=100, description="Best N candidates proposed when a task is posted.")
    max_open_commitments: int = Field(
        3, ge=1, le=50, description="A volunteer with this many open proposals or matches is not proposed again."
    )
    proposal_ttl_days: int = Field(14, ge=1, le=365, description="An unanswered proposal expires after these days.")
    overflow_after_days: int = Field(
        14, ge=1, le=365, description="A task without an accepted match is offered region-wide after these days."
    )
    team_day_radius_km: float = Field(
        15.0, gt=0, le=200, description="How far from a partner's preferred area a team task may lie."
    )

    beursvloer_pairs_per_posting: int = Field(
        3, ge=1, le=20, description="Best N Beursvloer pairs proposed for a new offer or request."
    )
    beursvloer_radius_km: float = Field(
        25.0, gt=0, le=200, description="How far apart a Beursvloer offer and request may be (PC4 centroids)."
    )

    # Each TaskPosted or profile change runs a candidate search in the batch's transaction: a smaller batch
    # keeps that transaction far inside the index refresh's 30-s overlap (read_model.py).
    consumer_batch_size: int = Field(
        50, ge=1, le=5000, description="Most records one consumer transaction applies; offsets committed per batch."
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "matching"
