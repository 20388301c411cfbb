-- The moment of the last replay of matching's volunteer read model (python -m common.ops replay matching):
-- a profile event produced before it is history, stored again without proposing anyone (it was proposed then).
CREATE TABLE replay_horizon (
    singleton boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    until     timestamptz NOT NULL
);
