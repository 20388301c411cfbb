"""``python -m registry``."""

from registry.main import main

main()
