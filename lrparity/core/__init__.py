"""lrparity's framework-neutral core: schedules as immutable closed forms (numpy and the standard library only).

Every module of this package is imported here, and every schedule class registers itself when its module defines
it (:class:`~lrparity.core.base.Configurable`), so adding a schedule is writing its class in a module of this
package: ``lrparity.core.<Name>``, ``lrparity.<Name>`` and ``from_config({"type": "<name>", ...})`` follow.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from lrparity.core.base import REGISTRY as _REGISTRY
from lrparity.core.base import Configurable, Schedule
from lrparity.core.plateau import PlateauState
from lrparity.core.registry import REGISTRY, from_config, load_config

for _module in _pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        _importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "Configurable", "PlateauState", "Schedule", "from_config", "load_config"]

globals().update({cls.__name__: cls for cls in _REGISTRY.values()})
__all__ += sorted(cls.__name__ for cls in _REGISTRY.values())
