"""``python -m registry`` runs the service; ``python -m registry accounts create-ops ...`` runs a command."""

import sys

if len(sys.argv) > 1:
    from registry.cli import main as command

    sys.exit(command(sys.argv[1:]))
else:
    from registry.main import main

    main()
