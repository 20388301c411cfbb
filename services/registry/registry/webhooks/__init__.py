"""Partners' webhooks: the signature scheme (``signing``) and the worker that sends due deliveries (``sender``).

Nothing is imported here: the use cases import ``signing`` and ``sender`` imports the use cases.
"""
