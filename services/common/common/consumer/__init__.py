"""Event consumers: contract decoding, idempotent inbox, retries and dead letters, in batches.

Every consumer the platform runs is built here, so the delivery rules hold everywhere:

- a service is one member of its consumer group, whatever the number of topics it consumes, so it joins
  once and rebalances once (``EventConsumer.attach``);
- records arrive in batches (up to ``batch_size``, whatever the fetch buffer holds: a busy topic gives
  full batches, a quiet one single records at once, without waiting for a batch to fill); a batch is
  applied in one transaction with one set-based inbox claim, in partition order, and its offsets are
  committed after that transaction committed or the record was dead-lettered;
- fetching and decoding the next batch, applying the current one and committing the previous one's
  offsets overlap (``_pipeline``); each topic has its own apply lane, so a backlog on one never holds up
  another; a topic's batches are applied strictly in the order they were fetched, and a partition's
  committed offset only moves forward;
- the inbox rows and the handlers' writes share the transaction, so a redelivery changes nothing;
- a record that is not valid JSON, violates its contract or has an unknown type goes straight to
  ``<topic>.dlq`` with headers naming the consumer, the error and the original position;
- a consumer given an ``opener`` (a ``common.keyring.KeyRing``) opens the sealed volunteer profile of each
  event before its handler runs; a sealed text that does not open is a contract violation;
- while the service's database is unreachable (restart, failover, network) the batch is retried
  without limit, with backoff capped at a few seconds: the outage is not the messages' fault, and
  dead-lettering every valid event that arrives during it would turn a restart into a mass re-drive;
- a batch aborted by a deadlock or serialization failure (another transaction touched the same rows)
  is retried whole, up to three times;
- any other failure of a batch (a handler bug, a constraint one event breaks) rolls it back and the
  batch is applied again one record per transaction, so the culprit is found; that record is retried
  ``max_retries`` times with exponential backoff while the database answers, then dead-lettered, so
  one bad message never blocks its partition;
- a failure of the runtime itself (outside any handler) retries the whole batch with backoff until it
  passes: skipping it would let the next batch's commit cover it;
- on shutdown (``close``) a batch still being applied is rolled back and a record still failing is
  abandoned, both uncommitted, as are batches fetched but not begun: they are redelivered to whichever
  instance owns the partition next.

Handlers are per event (``on``) or per run of consecutive events of one type (``on_batch``, for
projections that write a run in one statement); both run inside the batch's transaction. A service whose
handlers take locks in a fixed order takes them once per transaction before any handler (``before_runs``,
given the events it applies), so a batch of several runs never takes them out of order. A
per-event handler gets the service's unit of work (``common.uow``) on that transaction, with the event's
origin (its correlation id, the event as cause, its tenant) and envelope: whatever it emits commits
with the inbox row.

Tracing (``common.tracing``, when on): one CONSUMER span per batch applied, the child of a lone record's
``ce_traceparent`` or linked to every record's; handlers run inside it, so what they emit carries it on.

Logging: one ``batch_done`` line per batch at INFO (counts, topics, partitions, offsets); handlers log per
event with the event's id, type, correlation id, subject and tenant bound.

Error classes raised while handling a record::

    Exception
    ├── ContractViolation      bad envelope, bad payload, unknown type: dead-lettered at once
    └── anything else          database unreachable (checked with a probe): retried until it answers;
                               database reachable: retried ``max_retries`` times, then dead-lettered
"""

from common.consumer._consumer import BatchContext, BeforeRuns, EventConsumer, Opener
from common.consumer._decode import Record, decode
from common.errors import ContractViolation
from common.settings import DEFAULT_BATCH_SIZE

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "BatchContext",
    "BeforeRuns",
    "ContractViolation",
    "EventConsumer",
    "Opener",
    "Record",
    "decode",
]
