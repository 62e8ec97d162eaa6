"""``python -m sim.findings``: write docs/findings.md and its figures."""

import sys

from sim.findings.document import main

sys.exit(main())
