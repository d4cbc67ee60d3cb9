"""``python -m offchain`` runs the ``gridledger`` command line."""

import sys

from .app.cli import main

sys.exit(main())
