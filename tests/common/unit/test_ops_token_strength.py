"""OPS_TOKEN opens every service as region ops, so outside development a weak one stops the service at start-up."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr, ValidationError

from common.settings import OPS_TOKEN_MIN_LENGTH, ServiceSettings


def _settings(token: str, *, development: bool = False) -> ServiceSettings:
    return ServiceSettings(ops_token=SecretStr(token), development=development)


@pytest.mark.parametrize("token", ["", "change-me", "s3cr3t-but-short", "a" * 40, "ab" * 20])
def test_a_placeholder_short_or_repetitive_ops_token_is_refused_outside_development(token: str) -> None:
    with pytest.raises(ValidationError, match="OPS_TOKEN") as refused:
        _settings(token)
    if token:
        assert token not in str(refused.value), "the refusal never shows the secret"


def test_a_random_token_of_the_minimum_length_is_accepted() -> None:
    token = secrets.token_urlsafe(24)
    assert len(token) == OPS_TOKEN_MIN_LENGTH
    assert _settings(token).ops_token.get_secret_value() == token


def test_development_allows_a_short_token_for_the_local_demo() -> None:
    assert _settings("dev-token", development=True).ops_token.get_secret_value() == "dev-token"
