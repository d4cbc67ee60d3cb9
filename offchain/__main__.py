"""``python -m offchain`` runs the ``gridledger`` command line."""

import sys

from .cli import main

sys.exit(main())
