"""PaddleOCR ``Optimizer:`` blocks: parse them, and build the same optimizer in PaddlePaddle and in PyTorch.

PaddleOCR (``ppocr/optimizer/__init__.py`` ``build_optimizer``) turns an ``Optimizer`` YAML block into a
Paddle optimizer in three steps. This module reproduces each step and documents the rules it follows:

1. **Learning rate.** The ``lr`` sub-block is handled elsewhere in lrparity; this module ignores the ``lr``
   key.
2. **Regularizer.** ``regularizer: {name: N, factor: x}`` is looked up in ``ppocr/optimizer/regularizer.py``
   under ``N``, and under ``N + "Decay"`` when ``N`` itself does not exist there. So ``L2``/``L2Decay`` and
   ``L1``/``L1Decay`` build; anything else (``name: Const``) makes PaddleOCR fail with
   ``AttributeError: ... has no attribute 'ConstDecay'``. ``L2Decay`` returns the plain float
   ``float(factor)`` (YAML strings such as ``"1e-6"`` therefore work, ``"5.0-05"`` fails); ``L1Decay`` returns
   ``paddle.regularizer.L1Decay(factor)``. Only when there is no regularizer section (or it is ``null``) is a
   ``weight_decay`` key popped and used, raw, in its place. A ``weight_decay`` key *next to* a regularizer is
   passed to the optimizer class a second time and PaddleOCR fails with ``TypeError``.
3. **Gradient clipping and optimizer.** ``clip_norm`` becomes ``paddle.nn.ClipGradByNorm`` (each gradient
   tensor clipped on its own); only if ``clip_norm`` is absent does ``clip_norm_global`` become
   ``paddle.nn.ClipGradByGlobalNorm``. The optimizer wrapper class named by ``name`` (Adam, AdamW, Momentum,
   Adadelta, RMSProp; PaddleOCR has no SGD) receives every remaining key; each wrapper swallows unknown keys
   through ``**kwargs``, so misspelled or foreign keys are silently ignored. :func:`parse_optimizer_block`
   lists them in :attr:`OptimizerSpec.warnings`.

Regularization semantics in Paddle: a float ``weight_decay`` on Adam, Momentum, Adadelta and RMSProp is
*coupled* L2 (``coeff * param`` is added to the already clipped gradient), which is torch's ``weight_decay``
on ``Adam``/``SGD``/``Adadelta``. On AdamW the coefficient is *decoupled* (torch ``AdamW``) and is the
``weight_decay`` key, else the L2 ``factor``, else 0.01.

torch and paddle are imported lazily, inside the functions that need them: importing this module imports
neither.
"""

from __future__ import annotations

import difflib
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrparity.core.validation import check_nesting

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = [
    "VALID_OPTIMIZER_NAMES",
    "OptimizerSpec",
    "PaddleRMSProp",  # noqa: F822 - created lazily by the module ``__getattr__`` (it needs torch)
    "build_paddle_optimizer",
    "build_torch_optimizer",
    "paddle_clip_grad_by_global_norm_",
    "paddle_clip_grad_by_norm_",
    "parse_optimizer_block",
]

#: Optimizer wrapper classes defined in PaddleOCR's ``ppocr/optimizer/optimizer.py``.
VALID_OPTIMIZER_NAMES: tuple[str, ...] = ("Adam", "AdamW", "Momentum", "Adadelta", "RMSProp")

# Keys ``build_optimizer`` itself pops (``weight_decay`` only without a regularizer, ``clip_norm_global`` only
# without ``clip_norm``; both cases are handled explicitly).
_BUILDER_KEYS = frozenset({"name", "lr", "regularizer"})

# Keys each PaddleOCR wrapper class consumes (its named __init__ arguments plus ``kwargs.get`` look-ups).
_CLASS_KEYS: dict[str, frozenset[str]] = {
    "Adam": frozenset(
        {"beta1", "beta2", "epsilon", "parameter_list", "lazy_mode", "group_lr", "training_step"},
    ),
    "AdamW": frozenset(
        {
            "beta1",
            "beta2",
            "epsilon",
            "multi_precision",
            "no_weight_decay_name",
            "one_dim_param_no_weight_decay",
            "lazy_mode",
        }
    ),
    "Momentum": frozenset({"momentum"}),
    "Adadelta": frozenset({"epsilon", "rho", "parameter_list"}),
    "RMSProp": frozenset({"momentum", "rho", "epsilon"}),
}

# Keyword arguments ``build_optimizer`` always passes itself; a YAML key of the same name is a duplicate
# keyword.
_DUPLICATE_KWARGS = ("learning_rate", "grad_clip")

_ALL_KNOWN_KEYS = sorted(
    set().union(*_CLASS_KEYS.values()) | _BUILDER_KEYS | {"weight_decay", "clip_norm", "clip_norm_global"}
)


@dataclass(frozen=True)
class OptimizerSpec:
    """The optimizer PaddleOCR builds from one ``Optimizer`` block (the ``lr`` sub-block excluded).

    Hyper-parameters a given optimizer does not have are ``None``. Fields:

    - ``name``: ``Adam``, ``AdamW``, ``Momentum``, ``Adadelta`` or ``RMSProp``.
    - ``beta1``, ``beta2``, ``epsilon``, ``momentum``, ``rho``: with PaddleOCR's defaults filled in
      (Adam/AdamW 0.9, 0.999, 1e-8; Adadelta epsilon 1e-8, rho 0.95; RMSProp rho 0.95, epsilon 1e-6, momentum
      0.0; Momentum has no default, ``momentum`` is required).
    - ``centered``: always ``False``; PaddleOCR's RMSProp wrapper never passes ``centered`` to Paddle.
    - ``l2_coupled``: coefficient of coupled L2 (added to the gradient) for Adam/Momentum/Adadelta/RMSProp,
      from the L2 regularizer or, without a regularizer, the ``weight_decay`` key; ``None`` when Paddle gets
      no regularization.
    - ``l1_coupled``: coupled L1 (``coeff * sign(param)`` added to the gradient) from an L1 regularizer.
    - ``adamw_weight_decay``: AdamW's decoupled coefficient (``weight_decay`` key, else L2 factor, else 0.01).
    - ``weight_decay_origin``: where the decay came from: ``"regularizer L2"``, ``"regularizer L1"``,
      ``"weight_decay key"``, ``"AdamW default 0.01"`` or ``"none"``.
    - ``no_weight_decay_name``: AdamW substrings; a parameter whose *structured* name (``named_parameters``)
      contains any of them gets no decay.
    - ``one_dim_param_no_weight_decay``: AdamW: 1-D parameters get no decay.
    - ``clip_norm``: per-tensor clip (``ClipGradByNorm``); ``clip_norm_global``: global clip
      (``ClipGradByGlobalNorm``), ``None`` whenever ``clip_norm`` is set.
    - ``group_lr``: ``True`` only when PaddleOCR really splits parameters (Adam, ``group_lr`` truthy and
      ``training_step == "LF_2"``: VisionLAN). ``training_step`` is the raw key.
    - ``lazy_mode``, ``multi_precision``: passed to Paddle; they only matter for sparse gradients and for
      fp16/bf16 master weights respectively.
    - ``ignored_keys``: keys PaddleOCR accepts but silently ignores for this optimizer.
    - ``warnings``: human-readable notes on ignored keys and on silent defaults.
    """

    name: str
    beta1: float | None = None
    beta2: float | None = None
    epsilon: float | None = None
    momentum: float | None = None
    rho: float | None = None
    centered: bool = False
    l2_coupled: float | None = None
    l1_coupled: float | None = None
    adamw_weight_decay: float | None = None
    weight_decay_origin: str = "none"
    no_weight_decay_name: tuple[str, ...] = ()
    one_dim_param_no_weight_decay: bool = False
    clip_norm: float | None = None
    clip_norm_global: float | None = None
    group_lr: bool = False
    training_step: str | None = None
    lazy_mode: bool = False
    multi_precision: bool = False
    ignored_keys: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------


def _number(value: Any, what: str) -> float:
    """A YAML number passed raw to Paddle: int or float (not bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"{what} must be a number, got {value!r} ({type(value).__name__}); PaddleOCR passes it to Paddle "
            "unchanged and Paddle cannot use it"
        )
    return float(value)


def _float_like_paddleocr(value: Any, what: str) -> float:
    """``float(value)`` as PaddleOCR's ``L2Decay`` does, with a clear error when that fails."""
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} = {value!r} is not a number: PaddleOCR's L2Decay calls float({value!r}), which raises "
            f"{type(exc).__name__} ({exc}), so PaddleOCR fails to build this optimizer"
        ) from exc


def _parse_regularizer(reg: Any) -> tuple[str, float]:
    """Return ``("L1"|"L2", factor)`` for a regularizer mapping; ValueError where PaddleOCR fails."""
    if not isinstance(reg, Mapping):
        raise ValueError(f"regularizer must be a mapping with 'name' and 'factor', got {reg!r}")
    reg = dict(reg)
    if "name" not in reg:
        raise ValueError("regularizer has no 'name': PaddleOCR fails with KeyError 'name'")
    raw_name = reg.pop("name")
    name = str(raw_name)
    # PaddleOCR: use the name as is when regularizer.py defines it, else append "Decay".
    cls = name if name in ("L1Decay", "L2Decay") else name + "Decay"
    if cls not in ("L1Decay", "L2Decay"):
        raise ValueError(
            f"regularizer name {raw_name!r} cannot be built: PaddleOCR looks up {cls!r} in "
            "ppocr/optimizer/regularizer.py and fails with AttributeError (no attribute of that name); valid "
            "names are L1, L2, L1Decay, L2Decay"
        )
    extra = sorted(set(reg) - {"factor"})
    if extra:
        raise ValueError(
            f"regularizer {name} got unexpected keys {extra}: PaddleOCR's {cls}(factor=0.0) raises TypeError"
        )
    factor = reg.get("factor", 0.0)
    if cls == "L2Decay":
        return "L2", _float_like_paddleocr(factor, "regularizer factor")
    # L1Decay passes the factor raw to paddle.regularizer.L1Decay.
    return "L1", _number(factor, "L1 regularizer factor")


def _ignored_key_warning(key: str, opt_name: str) -> str:
    msg = f"key {key!r} is silently ignored by PaddleOCR's {opt_name} (swallowed by **kwargs)"
    if key == "use_nesterov":
        msg += "; PaddleOCR's Momentum always uses plain (non-Nesterov) momentum"
    elif key == "centered":
        msg += "; PaddleOCR's RMSProp never passes centered, so Paddle uses centered=False"
    elif key == "momentum" and opt_name == "Adadelta":
        msg += "; Adadelta has no momentum"
    else:
        close = difflib.get_close_matches(key, _ALL_KNOWN_KEYS, n=1, cutoff=0.75)
        if close and close[0] != key:
            msg += f"; did you mean {close[0]!r}?"
    return msg


def parse_optimizer_block(optimizer_cfg: Mapping[str, Any]) -> OptimizerSpec:
    """Describe the optimizer PaddleOCR's ``build_optimizer`` makes from an ``Optimizer`` block.

    Rules (PaddleOCR at f0b39d4, paddle 3.3.1):

    - ``lr`` is ignored here (built by the LR-schedule half of lrparity).
    - ``name`` must be one of :data:`VALID_OPTIMIZER_NAMES`, else ValueError listing them.
    - ``regularizer`` (unless ``null``): ``L2``/``L2Decay`` gives ``float(factor)`` (default 0.0; YAML strings
      are converted, ``"5.0-05"`` raises ValueError as PaddleOCR's build does); ``L1``/``L1Decay`` gives
      coupled L1; any other name raises ValueError (PaddleOCR: AttributeError ``<name>Decay``). Keys other
      than ``factor`` raise ValueError (PaddleOCR: TypeError).
    - ``weight_decay`` key: used, raw, only when there is no regularizer; next to a regularizer it is a
      duplicate keyword argument and PaddleOCR fails with TypeError, so ValueError here. ``learning_rate`` and
      ``grad_clip`` keys are duplicate keywords too (ValueError).
    - Adam/Momentum/Adadelta/RMSProp: the resulting float is coupled L2 (``l2_coupled``).
    - AdamW: decoupled coefficient = ``weight_decay`` key, else L2 factor, else 0.01 (an L1 regularizer makes
      Paddle's AdamW raise TypeError, so ValueError here). ``no_weight_decay_name`` is split on whitespace;
      ``one_dim_param_no_weight_decay`` is taken for its truth value.
    - ``clip_norm`` wins over ``clip_norm_global``; the latter is then ignored (warning).
    - ``group_lr`` (Adam only): active only with ``training_step: LF_2`` (VisionLAN); otherwise PaddleOCR
      prints a message and uses one group (warning).
    - Momentum requires ``momentum`` (PaddleOCR: TypeError, here ValueError). Hyper-parameters must be
      numbers; Paddle's range checks (Adam/AdamW ``0 <= beta < 1``, ``epsilon >= 0``; RMSProp ``rho, epsilon,
      momentum >= 0``) raise ValueError as Paddle does.
    - Any other key is swallowed by the wrapper's ``**kwargs``; it is listed in ``ignored_keys`` and gets a
      warning (e.g. Adadelta's ``momentum``, the misspelling ``weight_deacy``).

    Raises:
        ValueError: for every block PaddleOCR cannot build (see above).
    """
    if not isinstance(optimizer_cfg, Mapping):
        raise TypeError(f"an Optimizer block must be a mapping, got {type(optimizer_cfg).__name__}")
    check_nesting("ppocr", "the Optimizer block", optimizer_cfg)
    cfg = dict(optimizer_cfg)
    cfg.pop("lr", None)
    warns: list[str] = []

    if "name" not in cfg:
        raise ValueError(
            "Optimizer block has no 'name' (PaddleOCR fails with KeyError); valid names: "
            f"{', '.join(VALID_OPTIMIZER_NAMES)}"
        )
    name = cfg.pop("name")
    if name not in VALID_OPTIMIZER_NAMES:
        raise ValueError(
            f"unknown PaddleOCR optimizer name {name!r}; valid names are {', '.join(VALID_OPTIMIZER_NAMES)}"
        )

    for key in _DUPLICATE_KWARGS:
        if key in cfg:
            raise ValueError(
                f"key {key!r} in the Optimizer block: PaddleOCR passes {key}= itself as well and fails with "
                f"TypeError (got multiple values for keyword argument {key!r})"
            )

    # -- step 2: regularizer / weight_decay ------------------------------------------------------------------
    reg_value: float | None = None  # what PaddleOCR passes as weight_decay= to the wrapper
    reg_kind = "none"
    reg_cfg = cfg.pop("regularizer", None)
    if reg_cfg is not None:
        kind, reg_value = _parse_regularizer(reg_cfg)
        reg_kind = f"regularizer {kind}"
        if "weight_decay" in cfg:
            raise ValueError(
                "both a regularizer and a 'weight_decay' key: PaddleOCR passes weight_decay= from the "
                "regularizer and the key again through **config, and fails with TypeError (multiple values "
                "for keyword argument 'weight_decay')"
            )
    elif "weight_decay" in cfg:
        raw_wd = cfg.pop("weight_decay")
        if raw_wd is not None:
            reg_value = _number(raw_wd, "weight_decay")
            reg_kind = "weight_decay key"

    # -- step 3: gradient clipping --------------------------------------------------------------------------
    clip_norm: float | None = None
    clip_norm_global: float | None = None
    if "clip_norm" in cfg:
        clip_norm = _number(cfg.pop("clip_norm"), "clip_norm")
        if "clip_norm_global" in cfg:
            cfg.pop("clip_norm_global")
            warns.append(
                "both clip_norm and clip_norm_global are set: PaddleOCR uses clip_norm (per-tensor "
                "ClipGradByNorm) and silently ignores clip_norm_global"
            )
    elif "clip_norm_global" in cfg:
        clip_norm_global = _number(cfg.pop("clip_norm_global"), "clip_norm_global")

    # -- step 3: the wrapper class ------------------------------------------------------------------------
    consumed = _CLASS_KEYS[name]
    ignored = sorted(k for k in cfg if k not in consumed)
    for key in ignored:
        warns.append(_ignored_key_warning(str(key), name))

    fields: dict[str, Any] = {"name": name, "clip_norm": clip_norm, "clip_norm_global": clip_norm_global}

    def get_num(key: str, default: float) -> float:
        return _number(cfg.get(key, default), key)

    if name in ("Adam", "AdamW"):
        fields["beta1"] = get_num("beta1", 0.9)
        fields["beta2"] = get_num("beta2", 0.999)
        fields["epsilon"] = get_num("epsilon", 1e-8)
        for key in ("beta1", "beta2"):
            if not 0.0 <= fields[key] < 1.0:
                raise ValueError(
                    f"{key} = {fields[key]}: Paddle's {name} requires 0 <= {key} < 1 (ValueError)",
                )
        if fields["epsilon"] < 0.0:
            raise ValueError(
                f"epsilon = {fields['epsilon']}: Paddle's {name} requires epsilon >= 0 (ValueError)",
            )
        fields["lazy_mode"] = bool(cfg.get("lazy_mode", False))
        if fields["lazy_mode"]:
            warns.append(
                "lazy_mode only changes updates of sparse (SelectedRows) gradients; torch ignores it",
            )
        if name == "Adam" and "parameter_list" in cfg:  # AdamW does not take it: listed as ignored
            warns.append("key 'parameter_list' is accepted but never used by PaddleOCR's Adam")
    elif name == "Momentum":
        if "momentum" not in cfg:
            raise ValueError(
                "Momentum needs a 'momentum' key: PaddleOCR's Momentum(learning_rate, momentum, ...) has no "
                "default and fails with TypeError"
            )
        fields["momentum"] = _number(cfg["momentum"], "momentum")
    elif name == "Adadelta":
        fields["epsilon"] = get_num("epsilon", 1e-8)
        fields["rho"] = get_num("rho", 0.95)
        if "parameter_list" in cfg:
            warns.append("key 'parameter_list' is accepted but never used by PaddleOCR's Adadelta")
    elif name == "RMSProp":
        fields["momentum"] = get_num("momentum", 0.0)
        fields["rho"] = get_num("rho", 0.95)
        fields["epsilon"] = get_num("epsilon", 1e-6)
        for key in ("momentum", "rho", "epsilon"):
            if fields[key] < 0.0:
                raise ValueError(f"{key} = {fields[key]}: Paddle's RMSProp requires {key} >= 0 (ValueError)")

    if name == "AdamW":
        if reg_kind == "regularizer L1":
            raise ValueError(
                "AdamW with an L1 regularizer: PaddleOCR passes a paddle.regularizer.L1Decay as AdamW's "
                "weight_decay and Paddle raises TypeError ('weight_decay should be int, float or Tensor')"
            )
        if reg_value is None:
            fields["adamw_weight_decay"] = 0.01
            fields["weight_decay_origin"] = "AdamW default 0.01"
            warns.append(
                "AdamW has neither a weight_decay key nor a regularizer: PaddleOCR applies decoupled weight "
                "decay 0.01 by default"
            )
        else:
            fields["adamw_weight_decay"] = reg_value
            fields["weight_decay_origin"] = reg_kind
            if reg_kind == "regularizer L2" and reg_value != 0.0:
                warns.append(
                    f"AdamW: the L2 regularizer factor {reg_value} becomes AdamW's *decoupled* weight decay "
                    "coefficient, not coupled L2"
                )
        raw_names = cfg.get("no_weight_decay_name")
        if raw_names and not isinstance(raw_names, str):
            raise ValueError(
                f"no_weight_decay_name must be a space separated string, got {raw_names!r}: PaddleOCR calls "
                ".split() on it"
            )
        fields["no_weight_decay_name"] = tuple(raw_names.split()) if raw_names else ()
        fields["one_dim_param_no_weight_decay"] = bool(cfg.get("one_dim_param_no_weight_decay", False))
        fields["multi_precision"] = bool(cfg.get("multi_precision", False))
        if fields["multi_precision"]:
            warns.append(
                "multi_precision keeps fp32 master weights for fp16/bf16 parameters; torch ignores it",
            )
    else:
        fields["weight_decay_origin"] = reg_kind
        if reg_kind == "regularizer L1":
            fields["l1_coupled"] = reg_value
        else:
            fields["l2_coupled"] = reg_value

    if name == "Adam":
        group_lr = cfg.get("group_lr", False)
        training_step = cfg.get("training_step")
        fields["training_step"] = None if training_step is None else str(training_step)
        if group_lr:
            if training_step == "LF_2":
                fields["group_lr"] = True
                warns.append(
                    "group_lr with training_step LF_2 (VisionLAN): parameters outside head.MLM_VRM.MLM, "
                    "head.MLM_VRM.Prediction.pp_share and .w_share get an LR multiplier of values[0]*0.1 of "
                    "the Piecewise schedule"
                )
            else:
                warns.append(
                    f"group_lr is set but training_step is {training_step!r}, not 'LF_2': PaddleOCR prints "
                    "'group lr currently only support VisionLAN in LF_2 training step' and uses one group"
                )
    fields["ignored_keys"] = tuple(str(k) for k in ignored)
    fields["warnings"] = tuple(warns)
    return OptimizerSpec(**fields)


# ----------------------------------------------------------------------------------------------------
# torch side
# ----------------------------------------------------------------------------------------------------


def _f32(x: float) -> float:
    """Round a Python float to the nearest float32 (Paddle casts float attributes to float32)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _rounder(dtype: Any) -> Callable[[float], float]:
    """A function rounding a Python float to ``dtype`` (Paddle casts float attributes to the tensor dtype)."""
    import torch

    if dtype == torch.float32:
        return _f32
    if dtype == torch.float64:
        return float

    def rnd(x: float) -> float:
        return float(torch.tensor(x, dtype=dtype))

    return rnd


def _make_paddle_rmsprop_class() -> type:
    import torch

    class _PaddleRMSProp(torch.optim.Optimizer):
        """RMSProp with Paddle's update rule (``paddle.optimizer.RMSProp``, phi ``rmsprop`` kernel).

        For each parameter with gradient ``g`` (after coupled L2: ``g = g + weight_decay * p``), all in the
        parameter dtype with ``rho``, ``eps``, ``momentum`` and ``lr`` rounded to that dtype as Paddle does::

            ms  = rho * ms + (1 - rho) * g * g
            mg  = rho * mg + (1 - rho) * g                       # centered only
            mom = momentum * mom + lr * g / sqrt(ms + eps)       # centered: sqrt(ms - mg*mg + eps)
            p   = p - mom

        Differences from ``torch.optim.RMSprop``: epsilon is inside the square root, and the learning rate is
        inside the momentum buffer (so an LR change affects only new contributions). State buffers start at 0.
        Defaults are Paddle's: ``rho=0.95``, ``eps=1e-6``, ``momentum=0``, ``centered=False``.
        """

        def __init__(
            self,
            params: Any,
            lr: float,
            rho: float = 0.95,
            eps: float = 1e-6,
            momentum: float = 0.0,
            centered: bool = False,
            weight_decay: float = 0.0,
        ) -> None:
            if lr < 0.0:
                raise ValueError(f"Invalid learning rate: {lr}")
            for key, val in (
                ("rho", rho),
                ("eps", eps),
                ("momentum", momentum),
                ("weight_decay", weight_decay),
            ):
                if val < 0.0:
                    raise ValueError(f"Invalid {key}: {val}")
            defaults = {
                "lr": lr,
                "rho": rho,
                "eps": eps,
                "momentum": momentum,
                "centered": centered,
                "weight_decay": weight_decay,
            }
            super().__init__(params, defaults)

        @torch.no_grad()
        def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
            """Perform one Paddle RMSProp update on every parameter that has a gradient."""
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                lr = float(group["lr"])
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.is_sparse:
                        raise RuntimeError("PaddleRMSProp does not support sparse gradients")
                    self._update(p, group, lr)
            return loss

        def _update(self, p: torch.Tensor, group: dict[str, Any], lr: float) -> None:
            rnd = _rounder(p.dtype)
            rho = rnd(group["rho"])
            one_minus_rho = rnd(1.0 - rho)  # exact in double, so this is 1 - rho computed in p's dtype
            eps = rnd(group["eps"])
            mom_coef = rnd(group["momentum"])
            lr_t = rnd(lr)

            g = p.grad
            wd = group["weight_decay"]
            if wd != 0.0:
                g = g + p * rnd(wd)  # Paddle: scale(param, coeff) then add_n([grad, term])

            state = self.state[p]
            if len(state) == 0:
                state["step"] = 0
                state["mean_square"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["moment"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if group["centered"]:
                    state["mean_grad"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["step"] += 1
            ms = state["mean_square"]
            mom = state["moment"]

            ms.mul_(rho).add_((g * one_minus_rho).mul_(g))
            if group["centered"]:
                mg = state["mean_grad"]
                mg.mul_(rho).add_(g * one_minus_rho)
                denom = (ms - mg * mg).add_(eps).sqrt_()
            else:
                denom = (ms + eps).sqrt_()
            mom.mul_(mom_coef).add_((g * lr_t).div_(denom))
            p.sub_(mom)

    _PaddleRMSProp.__name__ = "PaddleRMSProp"
    _PaddleRMSProp.__qualname__ = "PaddleRMSProp"
    _PaddleRMSProp.__module__ = __name__
    return _PaddleRMSProp


_PADDLE_RMSPROP_CLS: type | None = None


def _paddle_rmsprop_class() -> type:
    global _PADDLE_RMSPROP_CLS
    if _PADDLE_RMSPROP_CLS is None:
        _PADDLE_RMSPROP_CLS = _make_paddle_rmsprop_class()
    return _PADDLE_RMSPROP_CLS


def __getattr__(attr: str) -> Any:
    # ``PaddleRMSProp`` subclasses torch.optim.Optimizer, so it is created on first access to keep
    # ``import lrparity.ppocr.optimizers`` free of torch.
    if attr == "PaddleRMSProp":
        return _paddle_rmsprop_class()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def _grads(params: Iterable[torch.Tensor]) -> list[torch.Tensor]:
    return [p.grad for p in params if p.grad is not None]


def paddle_clip_grad_by_norm_(params: Iterable[torch.Tensor], clip_norm: float) -> None:
    """Clip each gradient tensor on its own with the formula of ``paddle.nn.ClipGradByNorm``.

    Per tensor, in the gradient's dtype: ``norm = sqrt(sum(g*g))``; if ``norm <= clip_norm`` the gradient is
    left as is, else it is multiplied by ``clip_norm / norm`` (``clip_norm`` rounded to the gradient dtype;
    Paddle adds 1e-6 to ``norm`` only when it is below 1e-30). A NaN norm propagates NaN, as in Paddle. This
    is *not* ``torch.nn.utils.clip_grad_norm_`` over all parameters, and it has no ``+1e-6`` in the
    denominator. The norm can differ from Paddle's in the last bit (summation order, Eigen's fast sqrt).
    """
    import torch

    with torch.no_grad():
        for g in _grads(params):
            norm = g.square().sum().sqrt()
            c = torch.tensor(float(clip_norm), dtype=g.dtype, device=g.device)
            tiny = torch.where(norm <= 1e-30, torch.tensor(1e-6, dtype=g.dtype, device=g.device), 0.0)
            scale = torch.where(norm <= c, torch.ones_like(norm), c / (norm + tiny))
            g.mul_(scale)


def paddle_clip_grad_by_global_norm_(params: Iterable[torch.Tensor], clip_norm: float) -> None:
    """Clip all gradients together with the formula of ``paddle.nn.ClipGradByGlobalNorm``.

    ``global_norm = sqrt(sum_i sum(g_i*g_i))`` with per-tensor sums in the gradient dtype, accumulated in
    float32 (float64 if any gradient is float64; fp16/bf16 sums are cast to float32 first). Every gradient is
    then multiplied by ``clip_norm / max(global_norm, clip_norm)`` (so by exactly 1 when the norm is small).
    torch's ``clip_grad_norm_`` uses ``clip_norm / (norm + 1e-6)`` instead. The norm can differ from Paddle's
    in the last bit (summation order).
    """
    import torch

    grads = _grads(params)
    if not grads:
        return
    with torch.no_grad():
        low: list[torch.Tensor] = []
        f32: list[torch.Tensor] = []
        f64: list[torch.Tensor] = []
        for g in grads:
            sq = g.square().sum()
            if sq.dtype in (torch.float16, torch.bfloat16):
                low.append(sq)
            elif sq.dtype == torch.float32:
                f32.append(sq)
            else:
                f64.append(sq)
        sum_dtype = torch.float64 if f64 else torch.float32
        parts = []
        if low:
            parts.append(torch.stack(low).sum().to(sum_dtype))
        if f32:
            parts.append(torch.stack(f32).sum().to(sum_dtype))
        if f64:
            parts.append(torch.stack(f64).sum())
        norm = torch.stack(parts).sum().sqrt()
        c = torch.tensor(float(clip_norm), dtype=sum_dtype, device=norm.device)
        scale = c / torch.maximum(norm, c)
        for g in grads:
            g.mul_(scale.to(device=g.device, dtype=g.dtype))


def _check_model_arg(value: Any, arg: str, module: str) -> None:
    """A TypeError naming the model argument when it is not a module or an iterable of parameters."""
    if value is None or isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{arg} (the model) must be {module}, its named_parameters() or its parameters; got "
            f"{'None' if value is None else type(value).__name__}"
        )


def _torch_named_params(model_or_params: Any) -> list[tuple[str | None, torch.Tensor]]:
    """Trainable ``(name, param)`` pairs from an nn.Module, ``(name, param)`` pairs, or bare parameters."""
    import torch

    if isinstance(model_or_params, torch.nn.Module):
        items: list[tuple[str | None, torch.Tensor]] = list(model_or_params.named_parameters())
    else:
        _check_model_arg(model_or_params, "model_or_params", "an nn.Module")
        items = []
        for item in model_or_params:
            if isinstance(item, torch.Tensor):
                items.append((None, item))
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], torch.Tensor):
                items.append((str(item[0]), item[1]))
            else:
                raise TypeError(
                    "expected an nn.Module, parameters, or (name, parameter) pairs; got an item of type "
                    f"{type(item).__name__}"
                )
    # PaddleOCR optimizes only ``param.trainable is True`` parameters.
    return [(n, p) for n, p in items if p.requires_grad]


def _no_decay_flags(
    spec: OptimizerSpec, named: list[tuple[str | None, Any]], shape_len: Callable[[Any], int]
) -> list[bool]:
    """For AdamW: True for parameters PaddleOCR excludes from weight decay."""
    if spec.no_weight_decay_name and any(n is None for n, _ in named):
        raise ValueError(
            "no_weight_decay_name needs structured parameter names: pass the model (or named_parameters())"
        )
    flags = []
    for n, p in named:
        by_name = n is not None and any(s in n for s in spec.no_weight_decay_name)
        by_dim = spec.one_dim_param_no_weight_decay and shape_len(p) == 1
        flags.append(by_name or by_dim)
    return flags


def _adamw_coeff(spec: OptimizerSpec) -> float:
    """AdamW's decoupled coefficient; 0.01 (PaddleOCR's default) when the spec leaves it unset."""
    return 0.01 if spec.adamw_weight_decay is None else float(spec.adamw_weight_decay)


def _visionlan_modules(root: Any, wrapper_attr: str) -> tuple[Any, Any, Any]:
    model = getattr(root, wrapper_attr, root)  # unwrap DataParallel (torch ``module``, paddle ``_layers``)
    try:
        mlm_vrm = model.head.MLM_VRM
        return mlm_vrm.MLM, mlm_vrm.Prediction.pp_share, mlm_vrm.Prediction.w_share
    except AttributeError as exc:
        raise ValueError(
            "group_lr with training_step LF_2 needs VisionLAN's model.head.MLM_VRM.MLM, "
            "model.head.MLM_VRM.Prediction.pp_share and .w_share (PaddleOCR fails with AttributeError "
            "otherwise)"
        ) from exc


def build_torch_optimizer(
    spec: OptimizerSpec,
    model_or_params: Any,
    lr: float,
    *,
    group_lr_scale: float | None = None,
) -> tuple[torch.optim.Optimizer, Callable[[], None] | None]:
    """Build the torch optimizer equivalent to the Paddle optimizer PaddleOCR builds from ``spec``.

    ``model_or_params`` is an ``nn.Module`` (its ``named_parameters`` give the structured names AdamW's
    ``no_weight_decay_name`` is matched against), an iterable of ``(name, parameter)`` pairs, or an iterable
    of parameters (then ``no_weight_decay_name`` cannot be used). Parameters with ``requires_grad=False`` are
    left out, as PaddleOCR keeps only trainable ones.

    Mapping:

    - Adam: ``torch.optim.Adam(betas=(beta1, beta2), eps=epsilon, weight_decay=l2_coupled or 0)``.
    - Momentum: ``torch.optim.SGD(momentum, dampening=0, nesterov=False, weight_decay=l2_coupled or 0)``.
    - Adadelta: ``torch.optim.Adadelta(rho, eps, weight_decay)`` (Paddle defaults rho 0.95, eps 1e-8).
    - RMSProp: :class:`PaddleRMSProp` (torch's RMSprop has a different formula).
    - AdamW: ``torch.optim.AdamW`` with a ``weight_decay=adamw_weight_decay`` group and a ``weight_decay=0``
      group for parameters matching ``no_weight_decay_name`` (substring of the structured name) or, with
      ``one_dim_param_no_weight_decay``, 1-D parameters. Empty groups are left out.
    - ``group_lr`` (VisionLAN LF_2): parameters outside ``head.MLM_VRM.MLM``/``Prediction.pp_share``/
      ``Prediction.w_share`` form a group whose LR is multiplied by ``group_lr_scale`` (PaddleOCR uses
      ``values[0] * 0.1`` of the Piecewise schedule, and a Paddle group ``learning_rate`` is a multiplier).

    Every param group carries ``lr_scale`` (1.0 except for the VisionLAN small group) and starts at
    ``lr * lr_scale``; a scheduler must set ``group["lr"] = scheduled_lr * group["lr_scale"]``.

    The second return value is ``None`` or a callable the training loop must call after ``backward()`` and
    before ``optimizer.step()``: it clips as Paddle does (:func:`paddle_clip_grad_by_norm_` for ``clip_norm``,
    :func:`paddle_clip_grad_by_global_norm_` for ``clip_norm_global``) and then adds coupled L1
    (``l1_coupled * sign(p)``) to the gradients, Paddle's order (clip first, then regularization).
    Coupled L2 needs no callable: torch's ``weight_decay`` is added inside ``step()``, after the clip.
    """
    import torch

    named = _torch_named_params(model_or_params)
    params = [p for _, p in named]
    if not params:
        raise ValueError("no trainable parameters")

    groups: list[dict[str, Any]]
    if spec.group_lr:
        if not isinstance(model_or_params, torch.nn.Module):
            raise ValueError("group_lr (VisionLAN LF_2) needs the nn.Module, not bare parameters")
        if group_lr_scale is None:
            raise ValueError(
                "group_lr (VisionLAN LF_2) needs group_lr_scale: PaddleOCR uses values[0] * 0.1 of the "
                "Piecewise LR schedule as the LR multiplier of the parameters outside MLM/pp_share/w_share"
            )
        base_ids = {id(p) for m in _visionlan_modules(model_or_params, "module") for p in m.parameters()}
        all_params = list(model_or_params.parameters())  # PaddleOCR: model.parameters(), no trainable filter
        groups = [
            {"params": [p for p in all_params if id(p) in base_ids], "lr_scale": 1.0},
            {"params": [p for p in all_params if id(p) not in base_ids], "lr_scale": float(group_lr_scale)},
        ]
        params = all_params
    elif spec.name == "AdamW":
        flags = _no_decay_flags(spec, named, lambda p: p.dim())
        decay = [p for (_, p), f in zip(named, flags) if not f]
        no_decay = [p for (_, p), f in zip(named, flags) if f]
        groups = []
        if decay:
            groups.append({"params": decay, "weight_decay": _adamw_coeff(spec)})
        if no_decay:
            groups.append({"params": no_decay, "weight_decay": 0.0})
    else:
        groups = [{"params": params}]
    groups = [g for g in groups if g["params"]]
    for g in groups:
        g.setdefault("lr_scale", 1.0)
        g["lr"] = lr * g["lr_scale"]

    # Paddle passes beta1/beta2/epsilon/rho/momentum/L2 coefficients to its kernels as float32 attributes, so
    # the values it really uses are their float32 roundings (beta2 0.999 -> 0.99900001287). torch gets the
    # same rounded values; what remains is the float32 rounding order of the update expressions.
    r = _f32
    l2 = r(float(spec.l2_coupled or 0.0))
    opt: torch.optim.Optimizer
    if spec.name in ("Adam", "AdamW"):
        betas = (r(float(spec.beta1)), r(float(spec.beta2)))
        eps = r(float(spec.epsilon))
        if spec.name == "Adam":
            opt = torch.optim.Adam(groups, lr=lr, betas=betas, eps=eps, weight_decay=l2)
        else:
            opt = torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, weight_decay=_adamw_coeff(spec))
    elif spec.name == "Momentum":
        opt = torch.optim.SGD(
            groups, lr=lr, momentum=r(float(spec.momentum)), dampening=0.0, nesterov=False, weight_decay=l2
        )
    elif spec.name == "Adadelta":
        opt = torch.optim.Adadelta(
            groups,
            lr=lr,
            rho=r(float(spec.rho)),
            eps=r(float(spec.epsilon)),
            weight_decay=l2,
        )
    elif spec.name == "RMSProp":
        opt = _paddle_rmsprop_class()(
            groups,
            lr=lr,
            rho=float(spec.rho),
            eps=float(spec.epsilon),
            momentum=float(spec.momentum),
            centered=spec.centered,
            weight_decay=float(spec.l2_coupled or 0.0),
        )
    else:  # pragma: no cover - parse_optimizer_block rejects other names
        raise ValueError(f"unknown optimizer {spec.name!r}")

    return opt, _make_pre_step(spec, params)


def _make_pre_step(spec: OptimizerSpec, params: list[torch.Tensor]) -> Callable[[], None] | None:
    clip_norm, clip_global, l1 = spec.clip_norm, spec.clip_norm_global, spec.l1_coupled
    if clip_norm is None and clip_global is None and not l1:
        return None

    def pre_step() -> None:
        """Paddle's gradient pipeline before the update: clip, then coupled L1."""
        import torch

        if clip_norm is not None:
            paddle_clip_grad_by_norm_(params, clip_norm)
        elif clip_global is not None:
            paddle_clip_grad_by_global_norm_(params, clip_global)
        if l1:
            with torch.no_grad():
                for p in params:
                    if p.grad is not None:
                        # Paddle's L1Decay: scale(sign(param), coeff), then add_n([grad, term]).
                        p.grad.add_(torch.sign(p).mul_(_rounder(p.dtype)(l1)))

    return pre_step


# ----------------------------------------------------------------------------------------------------
# paddle side
# ----------------------------------------------------------------------------------------------------


def build_paddle_optimizer(
    spec: OptimizerSpec,
    parameters_or_layer: Any,
    learning_rate: Any,
    *,
    group_lr_scale: float | None = None,
) -> Any:
    """Build the Paddle optimizer PaddleOCR's ``build_optimizer`` builds for ``spec``.

    ``parameters_or_layer`` is a ``paddle.nn.Layer`` (needed for AdamW's ``no_weight_decay_name`` and for
    ``group_lr``), ``(name, parameter)`` pairs, or parameters; only trainable parameters are passed, as
    PaddleOCR does. ``learning_rate`` is a float or a ``paddle.optimizer.lr.LRScheduler``.

    - ``weight_decay=``: the L2 float for Adam/Momentum/Adadelta/RMSProp (Paddle makes it ``L2Decay``),
      ``paddle.regularizer.L1Decay`` for an L1 regularizer, ``None`` without one; AdamW gets its decoupled
      coefficient and ``apply_decay_param_fun`` returning False for the tensor names of excluded parameters.
    - ``grad_clip=``: ``ClipGradByNorm(clip_norm)`` or ``ClipGradByGlobalNorm(clip_norm_global)``.
    - ``group_lr`` (VisionLAN LF_2): two groups, the second with ``learning_rate`` (a multiplier) equal to
      ``group_lr_scale`` or, as PaddleOCR does, ``learning_rate.values[0] * 0.1``.
    """
    import paddle

    if isinstance(parameters_or_layer, paddle.nn.Layer):
        named: list[tuple[str | None, Any]] = list(parameters_or_layer.named_parameters())
    else:
        _check_model_arg(parameters_or_layer, "parameters_or_layer", "a paddle.nn.Layer")
        named = []
        for item in parameters_or_layer:
            if isinstance(item, tuple) and len(item) == 2:
                named.append((str(item[0]), item[1]))
            else:
                named.append((None, item))
    named = [(n, p) for n, p in named if getattr(p, "trainable", True) is True]
    params: Any = [p for _, p in named]
    if not params:
        raise ValueError("no trainable parameters")

    grad_clip = None
    if spec.clip_norm is not None:
        grad_clip = paddle.nn.ClipGradByNorm(clip_norm=spec.clip_norm)
    elif spec.clip_norm_global is not None:
        grad_clip = paddle.nn.ClipGradByGlobalNorm(clip_norm=spec.clip_norm_global)

    weight_decay: Any = None
    if spec.l1_coupled is not None:
        weight_decay = paddle.regularizer.L1Decay(spec.l1_coupled)
    elif spec.l2_coupled is not None:
        weight_decay = float(spec.l2_coupled)

    if spec.name == "Adam" and spec.group_lr:
        if not isinstance(parameters_or_layer, paddle.nn.Layer):
            raise ValueError("group_lr (VisionLAN LF_2) needs the paddle.nn.Layer, not bare parameters")
        if group_lr_scale is None:
            try:
                group_lr_scale = learning_rate.values[0] * 0.1
            except (AttributeError, IndexError, TypeError) as exc:
                raise ValueError(
                    "group_lr (VisionLAN LF_2): PaddleOCR reads learning_rate.values[0] (a Piecewise "
                    "schedule without warmup); pass group_lr_scale or such a schedule"
                ) from exc
        base_modules = _visionlan_modules(parameters_or_layer, "_layers")
        base_ids = {id(p) for m in base_modules for p in m.parameters()}
        all_params = list(parameters_or_layer.parameters())
        params = [
            {"params": [p for p in all_params if id(p) in base_ids]},
            {"params": [p for p in all_params if id(p) not in base_ids], "learning_rate": group_lr_scale},
        ]
    common = {
        "learning_rate": learning_rate,
        "parameters": params,
        "weight_decay": weight_decay,
        "grad_clip": grad_clip,
    }
    adam = {"beta1": spec.beta1, "beta2": spec.beta2, "epsilon": spec.epsilon, "lazy_mode": spec.lazy_mode}
    if spec.name == "Adam":
        return paddle.optimizer.Adam(**adam, **common)
    if spec.name == "AdamW":
        flags = _no_decay_flags(spec, named, lambda p: len(p.shape))
        excluded = {p.name for (_, p), f in zip(named, flags) if f}

        def apply_decay_param_fun(tensor_name: str) -> bool:
            return tensor_name not in excluded

        return paddle.optimizer.AdamW(
            **adam,
            **{**common, "weight_decay": _adamw_coeff(spec)},  # AdamW: its decoupled coefficient
            multi_precision=spec.multi_precision,
            apply_decay_param_fun=apply_decay_param_fun,
        )
    if spec.name == "Momentum":
        return paddle.optimizer.Momentum(momentum=spec.momentum, **common)
    if spec.name == "Adadelta":
        return paddle.optimizer.Adadelta(epsilon=spec.epsilon, rho=spec.rho, **common)
    if spec.name == "RMSProp":
        return paddle.optimizer.RMSProp(momentum=spec.momentum, rho=spec.rho, epsilon=spec.epsilon, **common)
    raise ValueError(f"unknown optimizer {spec.name!r}")  # pragma: no cover
