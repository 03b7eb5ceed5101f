"""``python -m sim``: the same as the ``basmachi`` command."""

import sys

from sim.cli import main

sys.exit(main())
