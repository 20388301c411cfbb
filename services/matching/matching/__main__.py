"""``python -m matching``."""

from matching.main import main

main()
