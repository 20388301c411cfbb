"""``python -m reporting``."""

from reporting.main import main

main()
