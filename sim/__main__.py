"""``python -m sim`` is the ``credsim`` command."""

import sys

from sim.cli import main

sys.exit(main())
