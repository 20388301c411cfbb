-- Traces across the event flow (issue 17): the W3C traceparent of the span that queued the row (the HTTP
-- request, the consumer's batch), sent by the relay as the record's ce_traceparent header. NULL when
-- tracing is off: the record then goes out without the header.
ALTER TABLE outbox ADD COLUMN traceparent text;
