"""``python -m portal``."""

from portal.main import main

main()
