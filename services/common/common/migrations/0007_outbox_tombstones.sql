-- A row without payload is published as a Kafka tombstone (the key with no value): the registry's way to
-- delete a volunteer's data key from the compacted key topic (crypto-shredding, issue 16).
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
