"""timm recipes: ``train.py``'s arguments (the ``args.yaml`` it writes) as the exact lrparity schedule, and back.

timm 1.0.31's ``train.py`` builds its scheduler with ``create_scheduler_v2(optimizer,
**scheduler_kwargs(args, decreasing_metric=...), updates_per_epoch=ceil(len(loader) / grad_accum_steps))`` and
steps it itself: ``step_update(num_updates)`` after every optimizer update (it acts only with
``--sched-on-updates``) and ``step(epoch + 1, metric)`` at the end of every epoch (it acts only without). Each
scheduler is a closed form of that count; its constructor sets the lr to ``warmup_lr`` when there is a warmup, so
the first epoch (or update) runs at ``warmup_lr``, or at ``lr`` without warmup, whatever the formula gives at 0.

:func:`schedule` returns the absolute lrparity schedule per optimizer update (bit-identical to timm where timm's
arithmetic is a closed form, which it is for every ``--sched``), :func:`export`/:func:`dumps` write a schedule as
``train.py`` arguments, :func:`reference` runs timm's own scheduler the way ``train.py`` steps it. The traps this
module reproduces and documents (``docs/recipes/timm.md``):

- ``warmup_prefix=False`` (the default) runs the decay *under* the warmup: at the end of the warmup the decay is
  already ``warmup_epochs`` in, so the peak ``lr`` is never reached (and a step decay may already have fired);
- ``multistep`` decays one epoch early (a milestone ``m`` applies from epoch ``m - 1``);
- ``lr_cycle_decay`` defaults to 0.5 in ``train.py`` (1.0 in the scheduler classes, 0.1 in the factory);
- ``poly`` uses ``decay_rate`` (default 0.1) as its power;
- with ``--sched-on-updates`` every length (epochs, warmup, decay, milestones, cooldown) is multiplied by the
  updates per epoch; without it the lr is constant within an epoch;
- ``tanh`` (and ``cosine``/``poly`` with ``min_lr > 0``) start the first epoch at ``lr``, not at the formula's
  value at 0;
- ``wsd``/``rsqrt`` round the decay length to an int and fit stable + decay inside ``epochs - warmup_epochs``;
- ``lr: null`` derives the lr as ``lr_base * batch_size * world_size * grad_accum_steps / lr_base_size``
  (square-rooted for ada*/lamb optimizers), and ``args.yaml`` does not record ``world_size``;
- lr noise draws from torch's generator (:class:`~lrparity.core.torch_noise.TorchNoise`, exact, needs torch);
- ``plateau`` is metric-driven: :func:`schedule` returns the core :class:`~lrparity.core.plateau.Plateau`, with
  timm's warmup (``warmup_lr + t * ((lr - warmup_lr) / warmup_epochs)`` for epochs ``t <= warmup_epochs``, their
  metrics ignored) when ``warmup_epochs > 0``; ``warmup_prefix`` only lengthens the run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import math
import numbers
import os
import shlex
import sys
import types
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lrparity.core import (
    AnnealCycles,
    Constant,
    FractionalStep,
    IncrementalWarmup,
    MultiStep,
    PerEpoch,
    Plateau,
    Schedule,
    Shift,
    StableDecay,
    Step,
    TorchNoise,
    WithBaseLR,
)
from lrparity.core import Sequence as SequenceSchedule
from lrparity.core.config_files import read_config_file
from lrparity.core.validation import check_nesting, closest_key_hint
from lrparity.recipes import RecipeWarning

__all__ = [
    "SCHEDS",
    "TRAIN_DEFAULTS",
    "TimmArgs",
    "TimmWarning",
    "command_args",
    "dumps",
    "export",
    "import_timm_scheduler",
    "read_args",
    "reference",
    "schedule",
    "total_updates",
]

TIMM_VERSION = "1.0.31"
"""The timm release whose ``create_scheduler_v2`` and ``train.py`` this module reproduces."""

SCHEDS: tuple[str, ...] = ("cosine", "tanh", "step", "multistep", "plateau", "poly", "constant", "wsd", "rsqrt", "none")
"""Every ``sched`` that timm 1.0.31's ``create_scheduler_v2`` accepts (``none``: no scheduler, a constant lr)."""

CYCLE_SCHEDS = ("cosine", "tanh", "poly")
DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")

TRAIN_DEFAULTS: Mapping[str, Any] = types.MappingProxyType(
    {
        "sched": "cosine",
        "sched_on_updates": False,
        "lr": None,
        "lr_base": 0.1,
        "lr_base_size": 256,
        "lr_base_scale": "",
        "lr_noise": None,
        "lr_noise_pct": 0.67,
        "lr_noise_std": 1.0,
        "lr_cycle_mul": 1.0,
        "lr_cycle_decay": 0.5,
        "lr_cycle_limit": 1,
        "lr_k_decay": 1.0,
        "lr_decay_fn": None,
        "lr_stable_timescale": None,
        "warmup_lr": 1e-5,
        "min_lr": 0.0,
        "epochs": 300,
        "decay_milestones": [90, 180, 270],
        "decay_epochs": 90,
        "warmup_epochs": 5,
        "warmup_prefix": False,
        "cooldown_epochs": 0,
        "patience_epochs": 10,
        "decay_rate": 0.1,
        "seed": 42,
        "batch_size": 128,
        "grad_accum_steps": 1,
        "opt": "sgd",
        "eval_metric": "top1",
        "val_split": "validation",
        "val_interval": 1,
        "layer_decay": None,
        "train_img_sizes": None,
        "world_size": None,
    }
)
"""``train.py``'s defaults of the arguments that shape the lr (timm 1.0.29+ ``train.py``): a key missing from a
config takes this value, as on ``train.py``'s command line. ``world_size`` (the number of training processes) is
not a ``train.py`` argument and not in ``args.yaml``; it is needed only when ``lr`` is null (derived from
``lr_base``)."""

_FLOAT_KEYS = ("lr", "lr_base", "lr_noise_pct", "lr_noise_std", "lr_cycle_mul", "lr_cycle_decay", "lr_k_decay",
               "lr_stable_timescale", "warmup_lr", "min_lr", "decay_epochs", "decay_rate", "layer_decay")  # fmt: skip
_INT_KEYS = ("lr_base_size", "lr_cycle_limit", "epochs", "warmup_epochs", "cooldown_epochs", "patience_epochs", "seed",
             "batch_size", "grad_accum_steps", "val_interval", "world_size")  # fmt: skip
_BOOL_KEYS = ("sched_on_updates", "warmup_prefix")
_STR_KEYS = ("sched", "lr_base_scale", "lr_decay_fn", "opt", "eval_metric", "val_split")
_NULLABLE = ("lr", "lr_noise", "lr_decay_fn", "lr_stable_timescale", "decay_epochs", "layer_decay", "train_img_sizes",
             "world_size", "val_split")  # fmt: skip

TRAIN_ARGS = frozenset(
    """aa amp amp_dtype amp_impl aot_autograd apex_amp aug_repeats aug_splits batch_size bce_loss bce_pos_weight bce_sum
    bce_target_thresh bn_eps bn_momentum channels_last checkpoint_hist class_map clip_grad clip_mode color_jitter
    color_jitter_prob config cooldown_epochs crop_pct cutmix cutmix_minmax data data_dir dataset dataset_download
    dataset_trust_remote_code decay_epochs decay_milestones decay_rate device device_modules dist_bn
    distill_loss_weight drop drop_block drop_connect drop_path dynamo dynamo_backend epoch_repeats epochs eval_metric
    experiment fast_norm fuser gaussian_blur_prob gp grad_accum_steps grad_checkpointing grayscale_prob head_init_bias
    head_init_scale hflip img_size in_chans initial_checkpoint input_img_mode input_key input_size interpolation
    jsd_loss kd_distill_type kd_loss_type kd_model_name kd_student_feature_dim kd_teacher_feature_dim kd_temperature
    kd_token_distill_type layer_decay layer_decay_min_scale layer_decay_no_opt_scale local_rank log_interval log_wandb
    lr lr_base lr_base_scale lr_base_size lr_cycle_decay lr_cycle_limit lr_cycle_mul lr_decay_fn lr_k_decay lr_noise
    lr_noise_pct lr_noise_std lr_stable_timescale mean min_lr mixup mixup_mode mixup_off_epoch mixup_prob
    mixup_switch_prob model model_dtype model_ema model_ema_decay model_ema_force_cpu model_ema_warmup model_kwargs
    momentum naflex_loader naflex_loss_scale naflex_max_seq_len naflex_patch_size_probs naflex_patch_sizes
    naflex_patchify_channels_first naflex_train_seq_lens native_amp no_aug no_ddp_bb no_prefetcher no_resume_opt
    num_classes opt opt_betas opt_eps opt_kwargs output patience_epochs pin_mem prefetcher pretrained pretrained_path
    ratio recount recovery_interval remode reprob resplit resume save_images scale sched sched_on_updates seed
    smoothing split_bn start_epoch std sync_bn synchronize_step target_key task_loss_weight torchcompile
    torchcompile_mode torchscript train_batch_sizes train_batches_per_epoch train_crop_mode train_img_sizes
    train_interpolation train_num_samples train_size_probs train_size_random_mix train_size_schedule
    train_size_schedule_spread train_split tta use_multi_epochs_loader val_interval val_num_samples val_split
    validation_batch_size variable_batch_loss_scale vflip wandb_project wandb_resume_id wandb_tags warmup_epochs
    warmup_lr warmup_prefix weight_decay worker_seeding workers world_size""".split()
)
"""Every ``train.py`` argument name (timm 0.9 to 1.0.31, as ``args.yaml`` spells them) plus ``world_size``: other
keys are not ``train.py``'s and warn."""

_USED_BY: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {
        # schedule parameters, and the scheds that read them (the others ignore them: a non-default value warns)
        "min_lr": ("cosine", "tanh", "poly", "plateau", "wsd", "rsqrt"),
        "decay_epochs": ("step", "wsd", "rsqrt"),
        "decay_milestones": ("multistep",),
        "decay_rate": ("step", "multistep", "plateau", "poly"),
        "cooldown_epochs": ("cosine", "tanh", "poly", "wsd", "rsqrt"),
        "patience_epochs": ("plateau",),
        "lr_cycle_mul": CYCLE_SCHEDS,
        "lr_cycle_decay": CYCLE_SCHEDS,
        "lr_cycle_limit": CYCLE_SCHEDS,
        "lr_k_decay": ("cosine", "poly"),
        "lr_decay_fn": ("wsd", "rsqrt"),
        "lr_stable_timescale": ("rsqrt",),
        "warmup_epochs": tuple(s for s in SCHEDS if s != "none"),
        "warmup_prefix": ("cosine", "tanh", "step", "multistep", "poly", "constant", "wsd", "rsqrt", "plateau"),
        "lr_noise": tuple(s for s in SCHEDS if s != "none"),
    }
)


class TimmWarning(RecipeWarning):
    """A ``train.py`` argument that timm accepts but ignores here, or a timm quirk that changes the values."""


# ------------------------------------------------------------------------------------------------- reading args
@dataclasses.dataclass(frozen=True)
class TimmArgs:
    """The ``train.py`` arguments that shape the lr, validated, with ``train.py``'s defaults for missing keys.

    Every field is the ``args.yaml`` key of the same name (see :data:`TRAIN_DEFAULTS`); ``lr`` is the learning
    rate ``train.py`` uses (derived from ``lr_base`` when the config's ``lr`` is null or 0, see :meth:`derived_lr`).
    """

    sched: str
    sched_on_updates: bool
    lr: float
    lr_given: float | None
    lr_base: float
    lr_base_size: int
    lr_base_scale: str
    lr_noise: tuple[float, ...] | float | None
    lr_noise_pct: float
    lr_noise_std: float
    lr_cycle_mul: float
    lr_cycle_decay: float
    lr_cycle_limit: int
    lr_k_decay: float
    lr_decay_fn: str | None
    lr_stable_timescale: float | None
    warmup_lr: float
    min_lr: float
    epochs: int
    decay_milestones: tuple[int, ...]
    decay_epochs: float | None
    warmup_epochs: int
    warmup_prefix: bool
    cooldown_epochs: int
    patience_epochs: int
    decay_rate: float
    seed: int
    batch_size: int
    grad_accum_steps: int
    opt: str
    eval_metric: str
    val_split: str | None
    val_interval: int
    layer_decay: float | None
    train_img_sizes: Any
    world_size: int | None

    @property
    def plateau_mode(self) -> str:
        """``train.py``'s plateau mode: ``min`` when the eval metric is ``loss`` (also when there is no
        validation split: train.py then tracks the training loss), else ``max``."""
        metric = self.eval_metric if self.val_split else "loss"
        return "min" if metric == "loss" else "max"


def _where(name: str) -> str:
    return f"timm config: {name}"


def _number(key: str, value: Any, kind: type) -> Any:
    """A ``train.py`` int/float argument: a number, or a string argparse converts with its ``type``."""
    if isinstance(value, str):  # argparse parses a string default with the argument's type
        try:
            return kind(value)
        except ValueError:
            raise ValueError(
                f"{_where(key)} must be {'an int' if kind is int else 'a number'} (train.py parses it with "
                f"type={kind.__name__}), got {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_where(key)} must be {'an int' if kind is int else 'a number'}, got {value!r} "
                        f"({type(value).__name__})")  # fmt: skip
    if kind is int and not isinstance(value, numbers.Integral):
        raise TypeError(f"{_where(key)} must be an int (train.py's type=int), got {value!r}")
    value = value.item() if isinstance(value, np.generic) else value
    if not math.isfinite(value):
        raise ValueError(f"{_where(key)} must be finite, got {value!r}")
    return value


def _load(config: Any) -> dict[str, Any]:
    if isinstance(config, (str, os.PathLike)):
        data = read_config_file(config, yaml_floats="1.1", duplicate_keys="warn")  # train.py: PyYAML's safe_load
        where = os.fspath(config)
    elif isinstance(config, Mapping):
        data, where = config, "timm config"
    elif isinstance(config, argparse.Namespace):
        data, where = vars(config), "timm config"
    else:
        raise TypeError(
            f"timm config must be a path to train.py's args.yaml, a mapping of its arguments or an argparse "
            f"Namespace, got {type(config).__name__}"
        )
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: a timm args.yaml holds a mapping of train.py arguments, got {type(data).__name__}")
    check_nesting("timm config", "config", data)
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise TypeError(f"{where}: keys must be train.py argument names (strings), got {bad[0]!r}")
    return dict(data)


_SHORT_OPTIONS = {"-b": "batch_size", "-j": "workers", "--dr": "decay_rate", "--jsd": "jsd_loss"}
"""train.py's short options and the abbreviations its documented commands use, by argument name."""


def command_args(command: str) -> dict[str, Any]:
    """train.py's arguments of a documented command line (``./distributed_train.sh N ... train.py ... --sched cosine
    ...``), as its argparse holds them before type conversion (strings; lists for ``--lr-noise`` and
    ``--decay-milestones``; ``True`` for a flag), with ``world_size`` (the ``N`` of ``distributed_train.sh``, else 1):
    a mapping :func:`schedule` reads."""
    tokens = shlex.split(command)
    args: dict[str, Any] = {"world_size": int(tokens[1]) if tokens[0].endswith("distributed_train.sh") else 1}
    lists = {"lr_noise", "decay_milestones"}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("-") or token.startswith("/"):
            i += 1
            continue
        key = _SHORT_OPTIONS.get(token, token.lstrip("-").replace("-", "_"))
        values = []
        while i + 1 < len(tokens) and not tokens[i + 1].startswith("--") and tokens[i + 1] not in _SHORT_OPTIONS:
            values.append(tokens[i + 1])
            i += 1
        args[key] = values if key in lists else (values[0] if values else True)
        i += 1
    return args


def read_args(config: Any) -> TimmArgs:
    """``train.py``'s lr arguments from ``config`` (a path to ``args.yaml``, a mapping or an argparse Namespace),
    validated, with :data:`TRAIN_DEFAULTS` for the missing keys. Warns :class:`TimmWarning` for keys that are not
    ``train.py`` arguments and for non-default values the chosen ``sched`` ignores.

    Raises:
        ValueError: a value timm rejects, or one that makes no sense (naming the key, the value, the allowed range).
        TypeError: a value of the wrong type.
    """
    given = _load(config)
    unknown = sorted(k for k in given if k not in TRAIN_ARGS)
    for key in unknown:
        warnings.warn(
            f"timm config: {key!r} is not a train.py argument (timm {TIMM_VERSION}); ignored"
            f"{closest_key_hint(key, TRAIN_ARGS)}",
            TimmWarning,
            stacklevel=3,
        )
    raw = {**TRAIN_DEFAULTS, **{k: v for k, v in given.items() if k in TRAIN_DEFAULTS}}
    a: dict[str, Any] = {}
    for key in _STR_KEYS:
        value = raw[key]
        if value is None and key in _NULLABLE:
            a[key] = None
        elif not isinstance(value, str):
            raise TypeError(f"{_where(key)} must be a string, got {value!r} ({type(value).__name__})")
        else:
            a[key] = value
    for key in _BOOL_KEYS:
        value = raw[key]
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"{_where(key)} must be true or false, got {value!r} ({type(value).__name__}): train.py tests it "
                "for truth, so a string such as 'false' would count as true"
            )
        a[key] = bool(value)
    for keys, kind in ((_FLOAT_KEYS, float), (_INT_KEYS, int)):
        for key in keys:
            value = raw[key]
            a[key] = None if value is None and key in _NULLABLE else _number(key, value, kind)

    sched = a["sched"]
    if sched not in SCHEDS:
        raise ValueError(
            f"{_where('sched')} must be one of {list(SCHEDS)} (timm {TIMM_VERSION}'s create_scheduler_v2), got "
            f"{sched!r}{closest_key_hint(sched, SCHEDS)}"
        )
    _check_ranges(a)
    a["decay_milestones"] = _milestones(raw["decay_milestones"])
    a["lr_noise"] = _noise(raw["lr_noise"])
    a["train_img_sizes"] = raw["train_img_sizes"]
    a["lr_given"] = a["lr"]
    a["lr"] = _derived_lr(a)
    args = TimmArgs(**a)
    _warn_ignored(args, given)
    return args


def _check_ranges(a: dict[str, Any]) -> None:
    def at_least(key: str, low: float, *, open_: bool = False) -> None:
        v = a[key]
        if v is not None and (v <= low if open_ else v < low):
            raise ValueError(f"{_where(key)} must be {'>' if open_ else '>='} {low}, got {v!r}")

    for key in ("epochs", "lr_base_size", "batch_size", "val_interval", "lr_cycle_limit"):
        at_least(key, 1)
    for key in ("warmup_epochs", "cooldown_epochs", "patience_epochs", "seed", "min_lr", "warmup_lr"):
        at_least(key, 0)
    for key in ("lr_noise_pct", "lr_noise_std", "lr_cycle_mul", "lr_k_decay", "lr_stable_timescale", "lr_base"):
        at_least(key, 0, open_=True)
    if a["lr"] is not None:
        at_least("lr", 0)
    at_least("lr_cycle_decay", 0)
    if a["world_size"] is not None:
        at_least("world_size", 1)
    if a["decay_rate"] <= 0:
        raise ValueError(
            f"{_where('decay_rate')} must be > 0 (the decay factor, or poly's power), got {a['decay_rate']!r}"
        )
    if a["lr_base_scale"] not in ("", "linear", "sqrt"):
        raise ValueError(
            f"{_where('lr_base_scale')} must be '', 'linear' or 'sqrt' (train.py treats any other value as linear), "
            f"got {a['lr_base_scale']!r}"
        )
    if a["lr_decay_fn"] is not None and a["lr_decay_fn"] not in DECAY_FNS:
        raise ValueError(
            f"{_where('lr_decay_fn')} must be one of {list(DECAY_FNS)} or null, got {a['lr_decay_fn']!r}"
            f"{closest_key_hint(a['lr_decay_fn'], DECAY_FNS)}"
        )
    if a["grad_accum_steps"] < 1:  # train.py: max(1, grad_accum_steps)
        a["grad_accum_steps"] = 1


def _milestones(value: Any) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{_where('decay_milestones')} must be a list of ints (epochs), got {value!r}")
    items = tuple(_number(f"decay_milestones[{i}]", v, int) for i, v in enumerate(value))
    if not items:
        raise ValueError(f"{_where('decay_milestones')} must not be empty")
    if list(items) != sorted(items):
        raise ValueError(f"{_where('decay_milestones')} must be increasing (timm bisects them), got {list(items)}")
    if items[0] < 0:
        raise ValueError(f"{_where('decay_milestones')} must be >= 0, got {list(items)}")
    return items


def _noise(value: Any) -> tuple[float, ...] | float | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        items = tuple(_number(f"lr_noise[{i}]", v, float) for i, v in enumerate(value))
        if not 1 <= len(items) <= 2:
            raise ValueError(
                f"{_where('lr_noise')} must be one fraction of the schedule (noise from there on) or two (on, off), "
                f"got {list(items)} (timm reads the first two only)"
            )
        return items
    return _number("lr_noise", value, float)


def _derived_lr(a: Mapping[str, Any]) -> float:
    """``train.py``'s lr: ``lr`` when given (and not 0), else ``lr_base`` scaled by the global batch size."""
    if a["lr"]:
        return float(a["lr"])
    if a["world_size"] is None:
        raise ValueError(
            f"timm config: lr is {a['lr']!r}, so train.py computes lr = lr_base * (batch_size * world_size * "
            "grad_accum_steps / lr_base_size) (square-rooted for ada*/lamb optimizers), but args.yaml does not record "
            "world_size (the number of training processes): add world_size: N to the config, or give lr"
        )
    if a["train_img_sizes"] is not None:
        raise ValueError(
            "timm config: lr is null and train_img_sizes is set: train.py then scales lr_base by the scheduled "
            "loader's average batch size, which the config does not hold: give lr"
        )
    global_batch_size = float(a["batch_size"]) * a["world_size"] * a["grad_accum_steps"]
    ratio = global_batch_size / a["lr_base_size"]
    scale = a["lr_base_scale"] or ("sqrt" if any(o in a["opt"].lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        ratio = ratio**0.5
    return a["lr_base"] * ratio


def _warn_ignored(args: TimmArgs, given: Mapping[str, Any]) -> None:
    ignored = []
    for key, scheds in _USED_BY.items():
        if args.sched in scheds:
            continue
        value = getattr(args, key)
        default = TRAIN_DEFAULTS[key]
        if isinstance(default, list):
            default = tuple(default)
        if key == "warmup_epochs" and args.sched == "none" and value:
            ignored.append(f"warmup_epochs={value}{'' if key in given else ' (train.py default)'}")
        elif value != default and not (key == "lr_noise" and value is None):
            ignored.append(f"{key}={value!r}")
    if ignored:
        warnings.warn(f"timm config: sched={args.sched!r} ignores {', '.join(ignored)}", TimmWarning, stacklevel=3)
    if args.layer_decay is not None:
        warnings.warn(
            f"timm config: layer_decay={args.layer_decay!r}: train.py multiplies each param group's lr by its "
            "lr_scale; the schedule here is the lr of a group with lr_scale 1 (the head)",
            TimmWarning,
            stacklevel=3,
        )
    if args.sched == "plateau" and args.val_interval > 1:
        warnings.warn(
            f"timm config: val_interval={args.val_interval}: train.py steps the plateau with a metric only every "
            f"{args.val_interval} epochs (and after the last); feed the Plateau only those metrics",
            TimmWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------------------------- what the factory builds
@dataclasses.dataclass(frozen=True)
class _Plan:
    """What ``create_scheduler_v2`` computes from the args, in scheduler steps (epochs, or updates)."""

    args: TimmArgs
    per_update: bool
    updates_per_epoch: int
    t_initial: int
    warmup_t: int
    cooldown_t: int
    decay_t: float | int | None
    milestones: tuple[int, ...]
    noise_range: tuple[float, ...] | float | None
    num_epochs: int


def _plan(args: TimmArgs, steps_per_epoch: int | None) -> _Plan:
    per_update = args.sched_on_updates
    if steps_per_epoch is None:
        if args.sched != "plateau":
            raise ValueError(
                "timm: steps_per_epoch is required: the optimizer updates per epoch, ceil(len(loader_train) / "
                "grad_accum_steps) in train.py"
            )
        upe = 1
    else:
        if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral):
            raise TypeError(f"timm: steps_per_epoch must be an int >= 1 (updates per epoch), got {steps_per_epoch!r}")
        upe = int(steps_per_epoch)
        if upe < 1:
            raise ValueError(f"timm: steps_per_epoch must be an int >= 1 (updates per epoch), got {upe}")
    if args.sched == "plateau" and per_update:
        raise ValueError("timm config: sched='plateau' with sched_on_updates: true: timm asserts "
                         "'Plateau LR only supports step per epoch'")  # fmt: skip
    k = upe if per_update else 1
    decay_epochs = args.decay_epochs
    if decay_epochs is None:
        decay_epochs = 0.2 if args.sched in ("wsd", "rsqrt") else 90
    noise_range: tuple[float, ...] | float | None = None
    t_initial = args.epochs * k
    if isinstance(args.lr_noise, tuple):
        noise_range = tuple(n * t_initial for n in args.lr_noise)
        if len(noise_range) == 1:
            noise_range = noise_range[0]
    elif args.lr_noise is not None:
        noise_range = args.lr_noise * t_initial
    warmup_t, cooldown_t = args.warmup_epochs * k, args.cooldown_epochs * k
    decay_t: float | int | None = decay_epochs * k
    sched = args.sched
    if sched in CYCLE_SCHEDS:
        mul, cycles = args.lr_cycle_mul, max(1, args.lr_cycle_limit)
        if mul == 1.0:
            length = t_initial * cycles
        else:
            length = math.floor(-t_initial * (mul**cycles - 1) / (1 - mul))
        length = length + warmup_t if args.warmup_prefix else length
        total = length + cooldown_t
        num_epochs = total if not per_update else total // upe
    elif sched in ("wsd", "rsqrt"):
        t_sched = t_initial if args.warmup_prefix else t_initial - warmup_t
        if 0 < decay_epochs < 1:
            decay_t = decay_epochs * t_sched
        decay_t = round(decay_t)
        if not 0 < decay_t <= t_sched:
            raise ValueError(
                f"timm config: {sched} needs 0 < decay_epochs <= epochs"
                f"{'' if args.warmup_prefix else ' - warmup_epochs'} (timm raises): decay_epochs={args.decay_epochs!r}"
                f" gives a decay of {decay_t} against a stable + decay length of {t_sched} "
                f"({'updates' if per_update else 'epochs'})"
            )
        t_initial = t_sched
        total = warmup_t + t_sched + cooldown_t
        num_epochs = total if not per_update else total // upe
    else:
        num_epochs = args.epochs + (args.warmup_epochs if args.warmup_prefix else 0)
        if sched != "step":
            decay_t = None
    milestones = tuple(d * k for d in args.decay_milestones)
    return _Plan(args, per_update, upe, t_initial, warmup_t, cooldown_t, decay_t, milestones, noise_range, num_epochs)


def total_updates(config: Any, *, steps_per_epoch: int | None = None) -> int:
    """Optimizer updates in ``train.py``'s run: ``num_epochs * steps_per_epoch``, with the ``num_epochs`` that
    ``create_scheduler_v2`` returns (cycles, warmup when prefixed, cooldown)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimmWarning)
        plan = _plan(read_args(config), steps_per_epoch)
    return plan.num_epochs * plan.updates_per_epoch


# ------------------------------------------------------------------------------------------------------ schedule
def _decay(plan: _Plan) -> Schedule:
    """The scheduler's formula without warmup, noise and first-step quirk (relative: base = ``lr``)."""
    a, sched = plan.args, plan.args.sched
    if sched in CYCLE_SCHEDS:
        return AnnealCycles(
            plan.t_initial,
            shape=sched,
            eta_min=a.min_lr,
            cycle_mul=a.lr_cycle_mul,
            cycle_decay=a.lr_cycle_decay,
            cycle_limit=a.lr_cycle_limit,
            k_decay=a.lr_k_decay if sched != "tanh" else 1.0,
            power=a.decay_rate if sched == "poly" else 0.5,
        )
    if sched == "step":
        period = plan.decay_t
        assert period is not None
        if period <= 0:
            raise ValueError(f"timm config: decay_epochs must be > 0 for sched='step', got {a.decay_epochs!r}")
        if float(period).is_integer():  # t // 90.0 and t // 90 are the same count, gamma ** 3.0 is gamma ** 3
            return Step(int(period), a.decay_rate)
        return FractionalStep(period, a.decay_rate)
    if sched == "multistep":  # timm counts milestones m <= t + 1: a milestone applies one step early
        return MultiStep(tuple(max(m - 1, 0) for m in plan.milestones), a.decay_rate)
    if sched in ("constant", "none"):
        return Constant()
    if sched in ("wsd", "rsqrt"):
        timescale = a.lr_stable_timescale
        if timescale is not None and plan.per_update:
            timescale = timescale * plan.updates_per_epoch
        stable = "rsqrt" if sched == "rsqrt" else "constant"
        if stable != "constant":
            if timescale is None:
                timescale = plan.warmup_t
            if timescale <= 0:
                raise ValueError(
                    "timm config: sched='rsqrt' needs a positive stable timescale: it defaults to the warmup "
                    "(warmup_epochs=0 here); set lr_stable_timescale or warmup_epochs (timm raises)"
                )
        else:
            timescale = None
        assert isinstance(plan.decay_t, int)
        return StableDecay(
            plan.t_initial,
            plan.decay_t,
            eta_min=a.min_lr,
            stable=stable,
            timescale=timescale,
            decay=a.lr_decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
        )
    raise AssertionError(sched)  # pragma: no cover


def _warmed(plan: _Plan, decay: Schedule) -> Schedule:
    a = plan.args
    if not plan.warmup_t:
        return decay
    prefix = a.warmup_prefix or a.sched in ("wsd", "rsqrt")
    # tanh without prefix warms up to its own value at the end of the warmup; every other scheduler to lr
    end_factor = None if a.sched == "tanh" and not prefix else 1.0
    return IncrementalWarmup(
        decay, plan.warmup_t, start_lr=a.warmup_lr, end_factor=end_factor, mode="prefix" if prefix else "overlap"
    )


def _noisy(plan: _Plan, s: Schedule) -> Schedule:
    r = plan.noise_range
    if r is None:
        return s
    lo, hi = (r if len(r) == 2 else (r[0], None)) if isinstance(r, tuple) else (r, None)
    start = max(math.ceil(lo), 1)  # t >= lo for an int t; step 0 is the constructor's value, never noisy
    end = None if hi is None else math.ceil(hi)
    if end is not None and end <= start:
        warnings.warn(
            f"timm config: lr_noise={plan.args.lr_noise!r} gives an empty noise range (steps {start} to {end}): "
            "no noise",
            TimmWarning,
            stacklevel=4,
        )
        return s
    a = plan.args
    try:
        return TorchNoise(s, pct=a.lr_noise_pct, std=a.lr_noise_std, seed=a.seed, start=start, end=end)
    except ValueError as exc:
        where = f"timm config: lr_noise_pct={a.lr_noise_pct!r}, lr_noise_std={a.lr_noise_std!r}"
        raise ValueError(f"{where}: {exc}") from None


def _build(args: TimmArgs, steps_per_epoch: int | None) -> Schedule | Plateau:
    plan = _plan(args, steps_per_epoch)
    if args.sched == "plateau":
        return _plateau(plan)
    if args.sched == "none":
        s: Schedule = Constant()
    else:
        s = _noisy(plan, _warmed(plan, _decay(plan)))
        # the constructor sets the lr to warmup_lr (with warmup) or leaves lr: step 0 runs at that value
        if not plan.warmup_t and s.value(0, args.lr) != args.lr:
            s = SequenceSchedule((Constant(), Shift(s, 1)), (1,))
    if not plan.per_update and plan.updates_per_epoch > 1:
        s = PerEpoch(s, plan.updates_per_epoch)
    return WithBaseLR(s, args.lr)


def _plateau_warmup(warmup_lr: float, lr: float, warmup_t: int) -> IncrementalWarmup:
    """timm's plateau warmup, ``warmup_lr + t * ((lr - warmup_lr) / warmup_t)`` for ``0 <= t <= warmup_t``
    (``epoch <= warmup_t``: its last step is the ramp's too, which may miss ``lr`` by an ulp), on base ``lr``."""
    end = warmup_lr + warmup_t * ((lr - warmup_lr) / warmup_t)
    last: Schedule = Constant() if end == lr else WithBaseLR(Constant(), end)
    return IncrementalWarmup(last, warmup_t, start_lr=warmup_lr, end_factor=1.0, mode="prefix")


def _plateau(plan: _Plan) -> Plateau:
    a = plan.args
    if plan.noise_range is not None:
        raise ValueError(
            f"timm config: sched='plateau' with lr_noise={a.lr_noise!r}: timm perturbs the plateau's lr for one epoch "
            "and restores it, which lrparity's Plateau does not express; set lr_noise: null"
        )
    if not 0 <= a.decay_rate < 1:
        raise ValueError(f"timm config: decay_rate must be in [0, 1) for sched='plateau' (torch raises), got "
                         f"{a.decay_rate!r}")  # fmt: skip
    return Plateau(
        mode=a.plateau_mode,
        factor=a.decay_rate,
        patience=a.patience_epochs,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=a.min_lr,
        eps=1e-8,
        semantics="torch",
        start_lr=a.lr,
        warmup=_plateau_warmup(a.warmup_lr, a.lr, plan.warmup_t) if plan.warmup_t else None,
        warmup_steps=plan.warmup_t,
    )


def schedule(config: Any, *, steps_per_epoch: int | None = None) -> Schedule | Plateau:
    """The absolute lrparity schedule ``train.py`` runs for ``config``, per optimizer update.

    ``values(range(total_updates(config, steps_per_epoch=n)))[i]`` is the lr of update ``i``: timm's scheduler
    built by ``create_scheduler_v2`` from the args as ``train.py`` passes them, stepped as ``train.py`` steps it.
    ``sched: plateau`` gives the core :class:`~lrparity.core.plateau.Plateau` instead (driven by the eval metric,
    once per epoch, at the epoch's end).

    Args:
        config: ``train.py``'s arguments: a path to the ``args.yaml`` it writes (or a ``--config`` YAML), a mapping,
            or an ``argparse.Namespace``. Missing keys take ``train.py``'s defaults (:data:`TRAIN_DEFAULTS`).
        steps_per_epoch: optimizer updates per epoch, ``ceil(len(loader_train) / grad_accum_steps)`` as
            ``train.py`` computes them; required except for ``plateau``.

    Raises:
        ValueError / TypeError: a config timm rejects or that makes no sense, naming the key.
    """
    return _build(read_args(config), steps_per_epoch)


# -------------------------------------------------------------------------------------------------------- export
class _Exported:
    """The train.py arguments being assembled by :func:`export` (lengths in scheduler steps, converted at the end)."""

    def __init__(self, per_update: bool, upe: int) -> None:
        self.per_update = per_update
        self.upe = upe
        self.k = upe if per_update else 1  # scheduler steps per epoch
        self.args: dict[str, Any] = {"sched_on_updates": per_update}

    def epochs(self, steps: Any, what: str) -> int:
        """A length in scheduler steps as whole epochs (ValueError naming ``what`` otherwise)."""
        if isinstance(steps, float) and steps.is_integer():
            steps = int(steps)
        if not isinstance(steps, int) or steps % self.k:
            unit = f"steps_per_epoch={self.upe} updates" if self.per_update else "1 epoch"
            raise ValueError(f"export: timm counts {what} in whole epochs; {steps!r} steps is not a multiple of {unit}")
        return steps // self.k


def _pin(s: Schedule, base_lr: float | None) -> tuple[Schedule, float]:
    """(the relative schedule, train.py's lr) of ``s``."""
    if s.uses_base_lr:
        if base_lr is None:
            raise ValueError(
                f"export: {type(s).__name__} is relative (its values scale a base lr): give base_lr=..., train.py's lr"
            )
        return s, float(base_lr)
    if isinstance(s, WithBaseLR):
        if base_lr is not None and base_lr != s.base_lr:
            raise ValueError(f"export: the schedule carries its lr ({s.base_lr!r}), base_lr={base_lr!r} disagrees")
        return s.schedule, float(s.base_lr)
    raise ValueError(
        f"export: timm's schedulers scale the optimizer's lr; {type(s).__name__} fixes its own values (absolute), "
        "which train.py's arguments cannot express"
    )


def _decay_args(out: _Exported, s: Schedule) -> tuple[str, int | None]:
    """Write the decay's arguments; return (sched, its length in scheduler steps or None when unbounded)."""
    from lrparity.core import Cosine, CosineRestarts, Polynomial

    a = out.args
    if isinstance(s, Cosine):
        if isinstance(s.T_max, float) and not s.T_max.is_integer():
            raise ValueError(
                f"export: Cosine T_max={s.T_max!r} is not a whole number of steps (timm's epochs are ints)"
            )
        s = AnnealCycles(int(s.T_max), "cosine", eta_min=s.eta_min)
    elif isinstance(s, CosineRestarts):
        if s.cycle_limit is None:
            raise ValueError(
                "export: CosineRestarts without cycle_limit restarts forever; timm runs lr_cycle_limit cycles"
            )
        s = AnnealCycles(s.T_0, "cosine", s.eta_min, float(s.T_mult), s.cycle_decay, s.cycle_limit, s.k_decay)
    elif isinstance(s, Polynomial):
        if s.cycle:
            raise ValueError("export: Polynomial(cycle=True) (paddle's cycle) has no timm equivalent")
        s = AnnealCycles(s.total_steps, "poly", eta_min=s.end_lr, power=s.power)
    if isinstance(s, AnnealCycles):
        if (s.lb, s.ub) != (-7.0, 3.0):
            raise ValueError(f"export: train.py cannot set tanh's lb/ub (fixed -7, 3), got lb={s.lb!r}, ub={s.ub!r}")
        if s.cycle_limit is None:
            raise ValueError("export: AnnealCycles without cycle_limit; timm runs lr_cycle_limit cycles")
        if s.shape == "poly" and s.power <= 0:
            raise ValueError(f"export: poly's power is train.py's decay_rate, which must be > 0, got {s.power!r}")
        a.update(epochs=out.epochs(s.t_initial, "t_initial"), min_lr=s.eta_min, lr_cycle_mul=s.cycle_mul,
                 lr_cycle_decay=s.cycle_decay, lr_cycle_limit=s.cycle_limit, lr_k_decay=s.k_decay)  # fmt: skip
        if s.shape == "poly":
            a["decay_rate"] = s.power
        return s.shape, s.length
    if isinstance(s, MultiStep) and not s.milestones:
        s = Constant()
    if isinstance(s, Constant):
        if s.factor != 1 or s.total_steps is not None:
            raise ValueError(f"export: timm's constant is the lr itself; got {s!r}")
        return "constant", None
    if isinstance(s, (Step, FractionalStep)):
        period = s.step_size if isinstance(s, Step) else s.period
        a.update(decay_epochs=period / out.k if out.k > 1 else period, decay_rate=s.gamma)
        if isinstance(a["decay_epochs"], float) and a["decay_epochs"].is_integer():
            a["decay_epochs"] = int(a["decay_epochs"])
        return "step", None
    if isinstance(s, MultiStep):
        # timm applies milestone d from step d*k - 1: d = (m + 1) / k, or 0 for a milestone at step 0
        a.update(decay_milestones=[0 if m == 0 else out.epochs(m + 1, f"milestone {m} (+1, timm's offset)")
                                   for m in s.milestones], decay_rate=s.gamma)  # fmt: skip
        return "multistep", None
    if isinstance(s, StableDecay):
        if s.stable == "power" or (s.stable_power, s.decay_power, s.decay_ratio) != (0.5, 0.5, 0.1):
            raise ValueError(
                "export: train.py reaches timm's WSD with stable 'constant' (wsd) or 'rsqrt' and the default "
                f"stable_power/decay_power/decay_ratio (0.5, 0.5, 0.1); got {s!r}"
            )
        total = out.epochs(s.total_steps, "the stable + decay length")
        decay = s.decay_steps / out.k
        if decay >= 1:
            a["decay_epochs"] = int(decay) if float(decay).is_integer() else decay
        else:
            a["decay_epochs"] = s.decay_steps / s.total_steps  # a fraction of the stable + decay length
        a.update(epochs=total, min_lr=s.eta_min, lr_decay_fn=s.decay)
        if s.stable == "rsqrt":
            assert s.timescale is not None
            a["lr_stable_timescale"] = s.timescale / out.k
        return ("rsqrt" if s.stable == "rsqrt" else "wsd"), s.total_steps
    raise ValueError(
        f"export: train.py's --sched cannot express {type(s).__name__} ({s!r}): timm has cosine/tanh/poly "
        "(AnnealCycles, Cosine, CosineRestarts, Polynomial), step (Step, FractionalStep), multistep, constant and "
        "wsd/rsqrt (StableDecay), each behind an optional linear warmup"
    )


def _noise_fraction(step: int, t_initial: int) -> float:
    """A fraction f with ceil(f * t_initial) == step in floats (timm's noise range is f * t_initial)."""
    f = step / t_initial
    for _ in range(64):
        if math.ceil(f * t_initial) == step:
            return f
        f = math.nextafter(f, -math.inf if math.ceil(f * t_initial) > step else math.inf)
    raise ValueError(f"export: no lr_noise fraction of {t_initial} steps starts the noise at step {step}")


def export(
    schedule: Schedule,
    *,
    steps_per_epoch: int | None = None,
    base_lr: float | None = None,
    total_steps: int | None = None,
) -> dict[str, Any]:
    """``train.py`` arguments whose schedule equals ``schedule`` at every update of the run.

    Expressible: what :func:`schedule` returns, and the core schedules timm's schedulers compute (within 1e-12):
    :class:`~lrparity.core.anneal_cycles.AnnealCycles`, ``Cosine`` (``cosine``), ``CosineRestarts``
    (``cosine`` with cycles), ``Polynomial`` (``poly``), ``Step``/``FractionalStep`` (``step``), ``MultiStep``
    (``multistep``, each milestone written one epoch later), ``Constant`` (``constant``),
    :class:`~lrparity.core.stable_decay.StableDecay` (``wsd``/``rsqrt``), each optionally behind a linear warmup
    (``IncrementalWarmup``, or ``Warmup`` with ``shape="linear"``; its ``mode`` gives ``warmup_prefix``) and under
    :class:`~lrparity.core.torch_noise.TorchNoise`; stepped per epoch inside
    :class:`~lrparity.core.per_epoch.PerEpoch` (``sched_on_updates: false``), per update otherwise. Every length
    must be a whole number of epochs. The result is checked: :func:`schedule` of it equals ``schedule`` within
    1e-12 (relative) at every update of the run. A core :class:`~lrparity.core.plateau.Plateau` with timm's fixed
    parameters (threshold 1e-4 relative, no cooldown, eps 1e-8, torch semantics) gives ``sched: plateau``; its warmup,
    if any, must be timm's (what :func:`schedule` builds for ``warmup_epochs``/``warmup_lr``).

    Context:
        steps_per_epoch: updates per epoch of the run the arguments are for (``ceil(len(loader) /
            grad_accum_steps)``); default the schedule's ``PerEpoch.steps_per_epoch``, else required.
        base_lr: the lr of a relative schedule (``train.py``'s ``lr``); an absolute one carries its own.
        total_steps: the run length in updates; default the schedule's cycles (cycle schedulers, wsd/rsqrt);
            required for ``step``/``multistep``/``constant``. A run longer than the cycles becomes
            ``cooldown_epochs``.

    Raises:
        ValueError: naming the part ``train.py``'s arguments cannot express.
    """
    from lrparity.core import Warmup

    if total_steps is not None and (
        isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) or total_steps < 1
    ):
        raise ValueError(f"export: total_steps must be an int >= 1 (updates in the run), got {total_steps!r}")
    if isinstance(schedule, Plateau):
        return _export_plateau(schedule, steps_per_epoch=steps_per_epoch, base_lr=base_lr, total_steps=total_steps)
    if not isinstance(schedule, Schedule):
        raise TypeError(f"export: schedule must be an lrparity Schedule or Plateau, got {schedule!r}")
    s, lr = _pin(schedule, base_lr)
    if lr <= 0:
        raise ValueError(f"export: train.py's lr must be > 0 (lr 0 means 'derive it from lr_base'), got {lr!r}")
    if isinstance(s, PerEpoch):
        if steps_per_epoch is not None and steps_per_epoch != s.steps_per_epoch:
            raise ValueError(
                f"export: steps_per_epoch={steps_per_epoch!r} disagrees with the schedule's PerEpoch "
                f"({s.steps_per_epoch})"
            )
        upe, per_update, s = s.steps_per_epoch, False, s.schedule
    else:
        if steps_per_epoch is None:
            raise ValueError(
                "export: give steps_per_epoch=N (updates per epoch of the run): timm's lengths are in epochs"
            )
        if (
            isinstance(steps_per_epoch, bool)
            or not isinstance(steps_per_epoch, numbers.Integral)
            or steps_per_epoch < 1
        ):
            raise ValueError(f"export: steps_per_epoch must be an int >= 1, got {steps_per_epoch!r}")
        upe = int(steps_per_epoch)
        per_update = upe > 1
    out = _Exported(per_update, upe)
    a = out.args
    a["lr"] = lr
    # the first step's value: timm runs step 0 at lr (or warmup_lr); lrparity writes that as a Sequence
    if (isinstance(s, SequenceSchedule) and s.milestones == (1,) and s.schedules[0] == Constant()
            and isinstance(s.schedules[1], Shift) and s.schedules[1].offset == 1):  # fmt: skip
        s = s.schedules[1].schedule
    noise = None
    if isinstance(s, TorchNoise):
        noise, s = s, s.schedule
        if noise.kind != "normal":
            raise ValueError("export: train.py's lr noise is normal; TorchNoise(kind='uniform') is not expressible")
    warmup = None
    if isinstance(s, (IncrementalWarmup, Warmup)):
        warmup, s = s, s.schedule
        if isinstance(warmup, Warmup) and warmup.shape != "linear":
            raise ValueError(f"export: timm's warmup is linear, got Warmup(shape={warmup.shape!r})")
    sched, length = _decay_args(out, s)
    a["sched"] = sched
    prefix = False
    if warmup is None:
        a["warmup_epochs"] = 0
    else:
        prefix = warmup.mode == "prefix"
        if sched in ("wsd", "rsqrt") and not prefix:
            raise ValueError("export: timm's wsd/rsqrt warmup always precedes the schedule (mode='prefix')")
        start = warmup.start_lr if warmup.start_lr is not None else lr * (warmup.start_factor or 0.0)
        a.update(warmup_epochs=out.epochs(warmup.warmup_steps, "the warmup"), warmup_lr=start)
    a["warmup_prefix"] = prefix
    if sched in ("wsd", "rsqrt"):
        a["warmup_prefix"] = True  # stable + decay = epochs: the arguments mean what the schedule does
    k = out.k
    warmup_t = a["warmup_epochs"] * k
    if length is not None:  # cycle schedulers and wsd: the run is their length (+ a prefixed warmup) + cooldown
        run = length + (warmup_t if a["warmup_prefix"] else 0)  # scheduler steps
        epochs_run = run // upe if per_update else run  # create_scheduler_v2's num_epochs without cooldown
        if total_steps is None:
            total_steps = epochs_run * upe
        if total_steps % upe or total_steps < epochs_run * upe:
            raise ValueError(
                f"export: total_steps={total_steps} must be a whole number of epochs of {upe} updates, at least timm's "
                f"run of this schedule ({epochs_run * upe} updates: its cycles plus a prefixed warmup)"
            )
        a["cooldown_epochs"] = total_steps // upe - epochs_run
    else:
        if total_steps is None:
            raise ValueError(f"export: give total_steps=N (updates): timm's {sched} runs for epochs, which the "
                             "schedule does not fix")  # fmt: skip
        if total_steps % upe:
            raise ValueError(f"export: total_steps={total_steps} is not a whole number of epochs of {upe} updates")
        epochs = total_steps // upe - (a["warmup_epochs"] if prefix else 0)
        if epochs < 1:
            raise ValueError(f"export: total_steps={total_steps} leaves no epoch after the warmup")
        a["epochs"] = epochs
    if noise is None:
        a["lr_noise"] = None
    else:
        t_initial = a["epochs"] * k
        if noise.start == 0:
            raise ValueError("export: timm adds no noise at the first step (it runs at the constructor's lr); "
                             "TorchNoise(start=0) is not expressible")  # fmt: skip
        fractions = [_noise_fraction(noise.start, t_initial)]
        if noise.end is not None:
            fractions.append(_noise_fraction(noise.end, t_initial))
        a.update(lr_noise=fractions, lr_noise_pct=noise.pct, lr_noise_std=noise.std, seed=noise.seed)
    _check_round_trip(a, schedule if not schedule.uses_base_lr else WithBaseLR(schedule, lr), upe)
    return {key: a[key] for key in sorted(a)}


def _export_plateau(
    plateau: Plateau, *, steps_per_epoch: int | None, base_lr: float | None, total_steps: int | None
) -> dict[str, Any]:
    """``sched: plateau`` arguments for a core Plateau with timm's fixed parameters (see :func:`export`)."""
    fixed = {"threshold": 1e-4, "threshold_mode": "rel", "cooldown": 0, "eps": 1e-8, "semantics": "torch"}
    differ = [f"{k}={getattr(plateau, k)!r} (timm: {v!r})" for k, v in fixed.items() if getattr(plateau, k) != v]
    if isinstance(plateau.min_lr, tuple):
        differ.append(f"min_lr={plateau.min_lr!r} (one per param group; timm: one number)")
    if plateau.factor <= 0:
        differ.append(f"factor={plateau.factor!r} (timm's decay_rate must be > 0)")
    if differ:
        raise ValueError(f"export: timm's plateau fixes what this Plateau sets differently: {', '.join(differ)}")
    lr = plateau.start_lr if plateau.start_lr is not None else base_lr
    if lr is None or (base_lr is not None and base_lr != lr):
        raise ValueError(
            f"export: give base_lr=... (train.py's lr) for a Plateau without start_lr, consistent with it (start_lr="
            f"{plateau.start_lr!r}, base_lr={base_lr!r})"
        )
    if steps_per_epoch is None or total_steps is None or total_steps % steps_per_epoch:
        raise ValueError(
            "export: give steps_per_epoch=N and total_steps=N * epochs: the run's epochs (a plateau steps once per "
            f"epoch; got steps_per_epoch={steps_per_epoch!r}, total_steps={total_steps!r})"
        )
    warmup = plateau.warmup
    if warmup is not None and (
        not isinstance(warmup, IncrementalWarmup)
        or warmup.start_lr is None
        or warmup != _plateau_warmup(warmup.start_lr, float(lr), plateau.warmup_steps)
    ):
        raise ValueError(
            f"export: timm's plateau warms up as warmup_lr + t * ((lr - warmup_lr) / warmup_epochs) for epochs 0.."
            f"warmup_epochs (what lrparity.recipes.timm.schedule of a plateau with warmup_epochs gives); this "
            f"Plateau's warmup differs: Plateau(warmup_steps={plateau.warmup_steps}, warmup={warmup!r})"
        )
    args = {
        "sched": "plateau",
        "sched_on_updates": False,
        "lr": float(lr),
        "epochs": total_steps // steps_per_epoch,
        "warmup_epochs": plateau.warmup_steps,
        "lr_noise": None,
        "decay_rate": plateau.factor,
        "patience_epochs": plateau.patience,
        "min_lr": plateau.min_lr,
        "eval_metric": "loss" if plateau.mode == "min" else "top1",
        "val_split": "validation",
    }
    if warmup is not None:
        args["warmup_lr"] = warmup.start_lr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimmWarning)
        back = schedule(args)
    if back != dataclasses.replace(plateau, start_lr=float(lr)):  # pragma: no cover - the fields map one to one
        raise AssertionError((back, plateau))
    return {key: args[key] for key in sorted(args)}


def _check_round_trip(args: dict[str, Any], s: Schedule, upe: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimmWarning)
        parsed = read_args(args)
        back = _build(parsed, upe)
        total = _plan(parsed, upe).num_epochs * upe
    assert isinstance(back, Schedule)
    steps = range(total)
    ours, theirs = s.values(steps), back.values(steps)
    scale = np.maximum(np.abs(ours), np.finfo(np.float64).tiny)
    diff = np.abs(ours - theirs) / scale
    worst = float(np.max(diff)) if total else 0.0
    if not worst <= 1e-12:
        at = int(np.argmax(diff))
        raise ValueError(
            f"export: timm's {args['sched']} from these arguments differs from the schedule by {worst:.3g} (relative) "
            f"at update {at} ({float(theirs[at])!r} vs {float(ours[at])!r}); train.py's arguments cannot express it "
            "exactly"
        )


def dumps(config: Mapping[str, Any]) -> str:
    """The arguments as ``train.py``'s ``args.yaml`` (``yaml.safe_dump``, keys sorted, as ``train.py`` writes it):
    usable as ``train.py --config FILE``."""
    import yaml

    if not isinstance(config, Mapping):
        raise TypeError(f"dumps: config must be a mapping of train.py arguments, got {type(config).__name__}")
    return yaml.safe_dump(dict(config), default_flow_style=False)


# ----------------------------------------------------------------------------------------------------- reference
_TIMM_SCHEDULER: types.ModuleType | None = None


def import_timm_scheduler() -> types.ModuleType:
    """``timm.scheduler`` without running ``timm/__init__.py`` (which imports torchvision and every model).

    An already imported ``timm.scheduler`` (a full timm install the user imported) is returned as is. Otherwise
    the package's files are loaded under a bare ``timm`` package object whose ``__path__`` is the installed
    folder; the modules are then removed from ``sys.modules`` again, so that a later ``import timm`` runs timm's
    own ``__init__`` as usual. The module is cached.

    Raises:
        ImportError: timm (or torch, which ``timm.scheduler`` imports) is not installed.
    """
    global _TIMM_SCHEDULER
    loaded = sys.modules.get("timm.scheduler")
    if loaded is not None and hasattr(loaded, "create_scheduler_v2"):
        return loaded
    if _TIMM_SCHEDULER is not None:
        return _TIMM_SCHEDULER
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"reference() runs timm's own scheduler: pip install 'timm=={TIMM_VERSION}' --no-deps (its scheduler "
            "needs only torch; installing timm with its dependencies may replace your torch)"
        )
    before = {k for k in sys.modules if k == "timm" or k.startswith("timm.")}
    stub = types.ModuleType("timm")
    stub.__path__ = list(spec.submodule_search_locations)
    stub.__file__ = spec.origin
    sys.modules["timm"] = stub
    try:
        module = importlib.import_module("timm.scheduler")
    except ImportError as exc:
        raise ImportError(f"timm.scheduler cannot be imported ({exc}): it needs torch") from exc
    finally:
        for name in [k for k in sys.modules if (k == "timm" or k.startswith("timm.")) and k not in before]:
            del sys.modules[name]
    _TIMM_SCHEDULER = module
    return module


def reference(
    config: Any,
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    metrics: Sequence[float] | None = None,
) -> np.ndarray:
    """The lr of every optimizer update as timm computes it: ``create_scheduler_v2(optimizer,
    **scheduler_kwargs(args, decreasing_metric=...), updates_per_epoch=steps_per_epoch)`` on a torch SGD optimizer
    at ``train.py``'s lr, stepped as ``train.py``'s loop steps it (``step_update(num_updates)`` after each update,
    ``step(epoch + 1, metric)`` after each epoch), the lr read before each update.

    Args:
        config: as for :func:`schedule`.
        steps_per_epoch: optimizer updates per epoch.
        steps: updates to run; default the run's (:func:`total_updates`).
        lr_module: timm's ``timm.scheduler`` module; default :func:`import_timm_scheduler`.
        metrics: the eval metric after each epoch (needed for ``plateau``; else optional).

    Raises:
        ImportError: timm or torch is not installed.
    """
    import torch

    module = lr_module if lr_module is not None else import_timm_scheduler()
    given = _load(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimmWarning)
        args = read_args(given)
    # the namespace train.py's argparse gives (strings converted with each argument's type), lr set as train.py
    # sets it before building the scheduler (lr_base scaled by the batch size when lr is null)
    parsed = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(args).items()}
    namespace = argparse.Namespace(**{**given, **{k: parsed[k] for k in TRAIN_DEFAULTS}})
    upe = 1 if steps_per_epoch is None else int(steps_per_epoch)
    eval_metric = namespace.eval_metric if namespace.val_split else "loss"
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=args.lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # timm's plateau is deprecated
        kwargs = module.scheduler_kwargs(namespace, decreasing_metric=eval_metric == "loss")
        scheduler, num_epochs = module.create_scheduler_v2(optimizer, **kwargs, updates_per_epoch=upe)
    total = num_epochs * upe if steps is None else int(steps)
    lrs: list[float] = []
    epoch = 0
    while len(lrs) < total:
        num_updates = epoch * upe
        for _ in range(upe):
            if len(lrs) == total:
                break
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            num_updates += 1
            if scheduler is not None:
                scheduler.step_update(num_updates=num_updates)
        metric = None if metrics is None or epoch >= len(metrics) else metrics[epoch]
        if scheduler is not None:
            scheduler.step(epoch + 1, metric)
        epoch += 1
    return np.array(lrs, dtype=np.float64)
