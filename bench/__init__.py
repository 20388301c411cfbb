"""Benchmarks of the platform against raw aiokafka/asyncpg baselines, run on the same broker and database.

``python -m bench [--smoke] [--soak] [--out DIR]``; see ``bench/__main__.py`` and the README's "Performance".
"""
