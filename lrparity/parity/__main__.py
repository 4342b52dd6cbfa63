"""``python -m lrparity.parity --golden ci/golden.npz [--write]`` (or ``CONFIG``, as ``lrparity parity``)."""

import sys

from lrparity.parity.cli import main

sys.exit(main())
