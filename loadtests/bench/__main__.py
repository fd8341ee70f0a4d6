"""``python -m loadtests.bench``: see :mod:`loadtests.bench.run`."""

import sys

from loadtests.bench.run import main

sys.exit(main())
