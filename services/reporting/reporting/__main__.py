"""``python -m reporting`` runs the service; ``rebuild`` and ``report`` are the ops and demo commands."""

from reporting.cli import main

main()
