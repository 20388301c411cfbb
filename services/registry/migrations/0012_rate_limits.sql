-- Attempt counters of login and password reset (per client address, per account): a window starts at its
-- first attempt and is never extended by later ones. Keys are SHA-256 digests, never an address or e-mail.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
