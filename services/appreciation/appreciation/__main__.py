"""``python -m appreciation``."""

from appreciation.main import main

main()
