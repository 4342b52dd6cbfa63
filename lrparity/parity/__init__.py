"""Cross-framework parity: one schedule through the core, the torch and paddle backends and the natives.

- :mod:`lrparity.parity.catalogue`: the named schedules checked in CI, with the natives the native tables give
  for each;
- :mod:`lrparity.parity.runners`: run a schedule through each execution path;
- :mod:`lrparity.parity.golden`: golden sequences and the drift checker
  (``python -m lrparity.parity --golden ci/golden.npz [--write]``);
- :mod:`lrparity.parity.pairs`: torch and paddle natives that claim the same schedule, and what they measurably do;
- :mod:`lrparity.parity.cli`: the ``lrparity parity CONFIG`` command.

Importing this package imports neither torch nor paddle.
"""

from __future__ import annotations

__all__ = ["catalogue", "golden", "pairs", "report", "runners"]
