-- Rate-limit counters (issue 13) every instance of a service shares: one row per limited key (a SHA-256
-- digest of the limit's name and the client address or account, never the address itself). A window
-- starts at its first hit and is never extended by later ones; the next hit after it ends starts a new one.
-- Named rate_limit_counters so it does not meet the registry's own login counters (rate_limits).
CREATE TABLE rate_limit_counters (
    key          text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL
);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);
