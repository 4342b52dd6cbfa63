"""``python -m lrparity.cli``: the ``lrparity`` command line."""

import sys

from lrparity.cli import main

sys.exit(main())
