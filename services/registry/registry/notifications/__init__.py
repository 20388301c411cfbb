"""E-mail from the registry, which holds the contact data: thank-you messages for awards, and notices about the
match conversation and follow-up (``notice_sender``, ``notice_routes``; their use cases are ``use_cases.notices``, with
the same rules). What follows describes the thank-yous; ``mail`` writes a notice mail, ``registry.smtp`` sends them all.

One room per idea:

- ``subscriber``: each ``AppreciationAwarded`` becomes one message row, in the inbox transaction:
  ``pending`` when the volunteer currently consents to appreciation messages and has an e-mail address,
  else ``not_sent`` with the reason. A redelivered award, or the same award published again, finds its row.
- ``sender``: a background worker the service runner starts (``ServiceSpec.workers``). It claims due
  rows, checks the consent again (a withdrawal in between stops the message), renders the centrale's
  template from the volunteer's current record and sends it over SMTP; a failure is retried with backoff,
  a permanent refusal marks the row ``failed``. The Message-ID derives from the award id.
- ``routes``: staff's templates per award kind and the status of their centrale's messages.
- ``templates``: the Dutch defaults, the placeholders, rendering (pure).
- ``use_cases``: what the three entrypoints above do, on the registry's unit of work.

No name, address or text is stored with a message, so erasing a volunteer leaves nothing personal here
(an SMTP error quoting an address is blanked with the rest: ``repositories.personal_data``).
"""

from registry.notifications.notice_routes import router as notice_router
from registry.notifications.notice_sender import notice_sender
from registry.notifications.routes import router
from registry.notifications.sender import thank_you_sender
from registry.notifications.subscriber import register_notifications

__all__ = ["notice_router", "notice_sender", "register_notifications", "router", "thank_you_sender"]
