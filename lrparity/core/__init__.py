"""lrparity's framework-neutral core: schedules as immutable closed forms (numpy and the standard library only)."""

from lrparity.core.base import Configurable, Schedule
from lrparity.core.compose import Chain, PerGroup, Sequence, Shift, WithBaseLR
from lrparity.core.constant import Constant
from lrparity.core.cosine import Cosine, CosineRestarts
from lrparity.core.cyclic import Cyclic
from lrparity.core.exponential import Exponential, InverseTime, NaturalExp
from lrparity.core.lambdas import Lambda, Multiplicative
from lrparity.core.noam import Noam
from lrparity.core.noise import Noise
from lrparity.core.one_cycle import OneCycle, PhaseAnneal
from lrparity.core.plateau import Plateau, PlateauState
from lrparity.core.polynomial import Linear, Polynomial
from lrparity.core.registry import REGISTRY, from_config, load_config
from lrparity.core.step import MultiStep, Piecewise, Step
from lrparity.core.warmup import Warmup

__all__ = [
    "REGISTRY", "Chain", "Configurable", "Constant", "Cosine", "CosineRestarts", "Cyclic", "Exponential",
    "InverseTime", "Lambda", "Linear", "MultiStep", "Multiplicative", "NaturalExp", "Noam", "Noise", "OneCycle",
    "PerGroup", "PhaseAnneal", "Piecewise", "Plateau", "PlateauState", "Polynomial", "Schedule", "Sequence",
    "Shift", "Step", "Warmup", "WithBaseLR", "from_config", "load_config",
]  # fmt: skip
