"""Hugging Face ``Trainer`` recipes (``kind="hf"``): ``TrainingArguments`` fields in, the exact schedule out, and back.

A recipe is the mapping of ``TrainingArguments`` fields a training script hands to ``HfArgumentParser`` (an
alignment-handbook or open-r1 YAML file, a JSON file, a dict): ``lr_scheduler_type``, ``lr_scheduler_kwargs``,
``learning_rate``, ``warmup_steps`` (an int, or in transformers 5.x a float < 1: a ratio of the run),
``warmup_ratio`` (transformers 4.x), ``max_steps`` or ``num_train_epochs`` with ``gradient_accumulation_steps``.
:func:`schedule` counts the run exactly as ``Trainer`` (transformers 5.24.0, the same in 4.57.1) counts it:

- updates per epoch are ``max(len(train_dataloader) // ga + int(len(train_dataloader) % ga > 0), 1)`` (ROUNDED UP:
  the last, shorter accumulation of an epoch is an optimizer update too), and ``N = max_steps`` if ``max_steps > 0``
  else ``ceil(num_train_epochs * updates_per_epoch)``;
- ``W = int(warmup_steps)`` if ``warmup_steps >= 1`` else ``ceil(N * warmup_steps)`` (5.x); a 4.x ``warmup_ratio``
  counts as ``ceil(N * warmup_ratio)`` when ``warmup_steps`` is 0, as 4.x did;
- ``transformers.get_scheduler(lr_scheduler_type, optimizer, W, N, lr_scheduler_kwargs)`` builds a ``LambdaLR``
  (``lr = learning_rate * lambda(t)``) that the Trainer steps once after every optimizer update.

The schedule is absolute (:class:`~lrparity.core.compose.WithBaseLR` over a core schedule that computes HF's lambda
operation for operation), indexed by optimizer update: ``values(range(N))[i]`` is the lr of update ``i``,
bit-identical to the Trainer's. The Trainer stops after ``N`` updates; past ``N`` the values are what HF's lambda
gives there (its cosine is not clamped: it rises again). ``reduce_lr_on_plateau`` gives a core
:class:`~lrparity.core.plateau.Plateau` (torch semantics, HF's parameters) and ``greedy`` a core
:class:`~lrparity.core.greedy.Greedy`, each stepped once per evaluation.

:func:`export` is the inverse (TrainingArguments fields for a schedule HF can express), :func:`dumps` writes them as
recipe YAML, and :func:`reference` runs the real ``transformers`` (Trainer, TrainingArguments, ``get_scheduler``)
for the parity tests and ``lrparity recipe``.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import numbers
import os
import random
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from lrparity.core.base import Schedule
from lrparity.core.compose import Sequence, Shift, WithBaseLR
from lrparity.core.config_files import read_config_file
from lrparity.core.constant import Constant
from lrparity.core.cosine import Cosine, CosineRestarts
from lrparity.core.cosine_one_based import CosineWarmupDecayOneBased
from lrparity.core.greedy import Greedy
from lrparity.core.inverse_sqrt import InverseSqrtWarmupDecay
from lrparity.core.noam import Noam
from lrparity.core.plateau import Plateau
from lrparity.core.polynomial import Linear, Polynomial
from lrparity.core.validation import MAX_INT, check_nesting, closest_key_hint
from lrparity.core.warmup import Warmup
from lrparity.core.warmup_decay import ConstantWarmup, CosineWarmupDecay, LinearWarmupDecay, PolynomialWarmupDecay
from lrparity.core.wsd import WarmupStableDecay
from lrparity.recipes import RecipeWarning

__all__ = [
    "DEFAULTS",
    "LR_FIELDS",
    "SCHEDULER_KWARGS",
    "SCHEDULER_TYPES",
    "TRAINING_ARGUMENTS_FIELDS",
    "HfWarning",
    "TrainerRun",
    "dumps",
    "export",
    "reference",
    "resolve",
    "schedule",
]

SCHEDULER_TYPES: tuple[str, ...] = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)
"""Every ``lr_scheduler_type`` that ``transformers.get_scheduler`` accepts (``SchedulerType``, transformers 5.24.0)."""

_REQUIRED = object()

SCHEDULER_KWARGS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "linear": {},
        "cosine": {"num_cycles": 0.5},
        "cosine_with_restarts": {"num_cycles": 1},
        "polynomial": {"lr_end": 1e-7, "power": 1.0},
        "constant": {},
        "constant_with_warmup": {},
        "inverse_sqrt": {"timescale": None},
        "reduce_lr_on_plateau": {
            "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel", "cooldown": 0,
            "min_lr": 0, "eps": 1e-8,
        },
        "cosine_with_min_lr": {"num_cycles": 0.5, "min_lr": None, "min_lr_rate": None},
        "cosine_warmup_with_min_lr": {"num_cycles": 0.5, "min_lr": None, "min_lr_rate": None, "warmup_lr_rate": None},
        "warmup_stable_decay": {
            "num_decay_steps": _REQUIRED, "num_stable_steps": None, "warmup_type": "linear", "decay_type": "cosine",
            "min_lr_ratio": 0, "num_cycles": 0.5,
        },
        "greedy": {
            "mode": "min", "factor": 0.95, "patience": 10, "threshold": 1e-6, "threshold_mode": "abs", "cooldown": 0,
            "warmup": 0, "min_lr": 1e-3, "max_lr": 1.0, "eps": 1e-8, "verbose": False, "smooth": False,
            "window_size": 50, "reset_start": 500,
        },
    }
)  # fmt: skip
"""``lr_scheduler_kwargs`` each scheduler takes, with HF's defaults (``constant`` and ``constant_with_warmup`` are
built without them: HF ignores any it is given). The ``LambdaLR`` ones also take ``last_epoch``, which only -1 (the
default) leaves the lr alone."""

_LAMBDA_SCHEDULERS = frozenset(
    {"linear", "cosine", "cosine_with_restarts", "polynomial", "inverse_sqrt", "cosine_with_min_lr",
     "cosine_warmup_with_min_lr", "warmup_stable_decay"}
)  # fmt: skip
_SHAPES = ("linear", "cosine", "1-sqrt")

DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "learning_rate": 5e-5,
        "lr_scheduler_type": "linear",
        "lr_scheduler_kwargs": None,
        "warmup_steps": 0,
        "max_steps": -1,
        "num_train_epochs": 3.0,
        "gradient_accumulation_steps": 1,
    }
)
"""``TrainingArguments``' defaults of the fields that set the schedule (transformers 5.24.0). Trainers built on it
may change them (TRL's ``SFTConfig`` uses ``learning_rate=2e-5``, ``DPOConfig``/``GRPOConfig`` 1e-6): a recipe
for one of those should state its ``learning_rate``."""

LR_FIELDS: frozenset[str] = frozenset({*DEFAULTS, "warmup_ratio"})
"""The recipe keys that set the schedule (``warmup_ratio``: transformers 4.x)."""

TRAINING_ARGUMENTS_FIELDS: frozenset[str] = frozenset(
    """
    accelerator_config activation_checkpointing activation_checkpointing_kwargs adam_beta1 adam_beta2 adam_epsilon
    auto_find_batch_size average_tokens_across_devices batch_eval_metrics bf16 bf16_full_eval data_seed
    dataloader_drop_last dataloader_in_order dataloader_multiprocessing_context dataloader_num_workers
    dataloader_persistent_workers dataloader_pin_memory dataloader_prefetch_factor ddp_backend ddp_broadcast_buffers
    ddp_bucket_cap_mb ddp_find_unused_parameters ddp_static_graph ddp_timeout debug deepspeed disable_tqdm do_eval
    do_predict do_train enable_jit_checkpoint eval_accumulation_steps eval_delay eval_do_concat_batches
    eval_on_start eval_steps eval_strategy eval_use_gather_object fp16 fp16_full_eval fsdp fsdp_config
    full_determinism gradient_accumulation_steps gradient_checkpointing gradient_checkpointing_kwargs
    greater_is_better hub_always_push hub_model_id hub_private_repo hub_revision hub_strategy hub_token
    ignore_data_skip include_for_metrics include_num_input_tokens_seen label_names label_smoothing_factor
    learning_rate length_column_name liger_kernel_config load_best_model_at_end local_rank log_level
    log_level_replica log_on_each_node logging_first_step logging_nan_inf_filter logging_steps logging_strategy
    lr_scheduler_kwargs lr_scheduler_type max_grad_norm max_steps metric_for_best_model neftune_noise_alpha
    num_train_epochs optim optim_args optim_target_modules output_dir parallelism_config per_device_eval_batch_size
    per_device_train_batch_size prediction_loss_only project push_to_hub remove_unused_columns report_to
    restore_callback_states_from_checkpoint resume_from_checkpoint run_name save_on_each_node save_only_model
    save_steps save_strategy save_total_limit seed skip_memory_metrics tf32 torch_compile torch_compile_backend
    torch_compile_mode torch_empty_cache_steps trackio_bucket_id trackio_space_id trackio_static_space_id
    train_sampling_strategy use_cache use_cpu use_liger_kernel warmup_steps weight_decay
    _n_gpu adafactor fp16_backend fp16_opt_level fsdp_min_num_params fsdp_transformer_layer_cls_to_wrap
    group_by_length half_precision_backend include_inputs_for_metrics include_tokens_per_second jit_mode_eval
    logging_dir mp_parameters no_cuda overwrite_output_dir past_index per_gpu_eval_batch_size per_gpu_train_batch_size
    push_to_hub_model_id push_to_hub_organization push_to_hub_token ray_scope save_safetensors torchdynamo
    tpu_metrics_debug tpu_num_cores use_legacy_prediction_loop use_mps_device warmup_ratio
    evaluation_strategy use_ipex sharded_ddp xpu_backend dispatch_batches split_batches
    """.split()
)
"""Every ``TrainingArguments`` field of transformers 5.24.0 and 4.57.1 (plus older 4.x names such as
``evaluation_strategy``). Those that do not set the schedule are accepted silently."""

_OTHER_PARSERS_FIELDS: frozenset[str] = frozenset(
    """
    model_name_or_path model_revision torch_dtype dtype attn_implementation use_flash_attention_2 trust_remote_code
    use_peft lora_r lora_alpha lora_dropout lora_target_modules lora_modules_to_save lora_task_type use_rslora
    use_dora load_in_8bit load_in_4bit bnb_4bit_quant_type use_bnb_nested_quant model_init_kwargs tokenizer_name_or_path
    chat_template dataset_mixture dataset_mixer dataset_splits dataset_name dataset_config dataset_configs
    dataset_train_split dataset_test_split dataset_streaming dataset_num_proc dataset_kwargs dataset_text_field
    preprocessing_num_workers truncation_side auto_insert_empty_system_msg text_column system_prompt
    max_seq_length max_length max_prompt_length max_completion_length max_target_length packing padding_free
    completion_only_loss assistant_only_loss eos_token pad_token chat_template_path use_liger use_liger_loss
    beta loss_type label_pad_token_id padding_value generate_during_eval precompute_ref_log_probs ref_model_init_kwargs
    rpo_alpha ld_alpha sync_ref_model ref_model_mixup_alpha ref_model_sync_steps reference_free label_smoothing
    num_generations num_iterations generation_batch_size steps_per_generation temperature top_p top_k min_p
    repetition_penalty epsilon epsilon_high delta scale_rewards mask_truncated_completions log_completions
    num_completions_to_print reward_funcs reward_weights use_vllm vllm_device vllm_gpu_memory_utilization vllm_mode
    vllm_server_host vllm_server_port vllm_dtype vllm_max_model_len vllm_tensor_parallel_size vllm_enable_prefix_caching
    ds3_gather_for_generation cache_implementation callbacks benchmarks hub_model_revision wandb_entity wandb_project
    wandb_run_group wandb_log_unique_prompts num_processes gradient_checkpointing_use_reentrant ignore_bias_buffers
    """.split()
)
"""Keys that recipe files commonly give to the other argument dataclasses of the same parser (TRL's ``ModelConfig``,
``ScriptArguments``, ``SFTConfig``/``DPOConfig``/``ORPOConfig``/``GRPOConfig``, alignment-handbook's and open-r1's
data arguments): none of them sets the lr schedule, so they are accepted silently. Any other key warns."""

_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "lr": "learning_rate",
        "base_lr": "learning_rate",
        "scheduler": "lr_scheduler_type",
        "lr_scheduler": "lr_scheduler_type",
        "scheduler_type": "lr_scheduler_type",
        "scheduler_kwargs": "lr_scheduler_kwargs",
        "warmup": "warmup_steps",
        "num_warmup_steps": "warmup_steps",
        "epochs": "num_train_epochs",
        "num_epochs": "num_train_epochs",
        "total_steps": "max_steps",
        "num_training_steps": "max_steps",
        "lr_warmup_steps": "warmup_steps",
        "max_train_steps": "max_steps",
        "grad_accum": "gradient_accumulation_steps",
        "gradient_accumulation": "gradient_accumulation_steps",
        "warmup_epochs": "warmup_steps (in updates) or warmup_ratio",
    }
)
"""Keys that other frameworks use for a schedule field: an error naming the TrainingArguments field."""


class HfWarning(RecipeWarning):
    """A Hugging Face recipe key the Trainer accepts but ignores, or an HF quirk that changes the values."""


@dataclass(frozen=True)
class TrainerRun:
    """What the Trainer makes of a recipe: the arguments it passes to ``transformers.get_scheduler``.

    Attributes:
        lr_scheduler_type: the scheduler's name (one of :data:`SCHEDULER_TYPES`).
        learning_rate: the optimizer's lr (``optimizer.defaults["lr"]``, the base of the ``LambdaLR``).
        num_warmup_steps: ``W``, as ``TrainingArguments.get_warmup_steps(N)`` computes it (updates).
        num_training_steps: ``N``, the optimizer updates of the run (``max_steps`` or epochs x updates per epoch);
            None for a metric-driven scheduler whose run length is not given (it does not enter its lrs).
        scheduler_kwargs: ``lr_scheduler_kwargs`` as the scheduler function receives them (validated).
        updates_per_epoch: optimizer updates per epoch (None when ``max_steps`` set the run without epochs).
    """

    lr_scheduler_type: str
    learning_rate: float
    num_warmup_steps: int
    num_training_steps: int | None
    scheduler_kwargs: Mapping[str, Any] = field(default_factory=dict)
    updates_per_epoch: int | None = None


# -- reading a recipe ----------------------------------------------------------------------------------------------


def _load(config: Any) -> tuple[dict[str, Any], str]:
    """The recipe as a new dict, and a name for it in messages. A path is read with PyYAML's rules (YAML 1.1, as
    ``HfArgumentParser.parse_yaml_file`` and TRL read it: ``1e-5`` without a dot is a string) or as JSON."""
    if isinstance(config, (str, os.PathLike)):
        where = os.fspath(config)
        data = read_config_file(where, yaml_floats="1.1", duplicate_keys="warn")  # PyYAML keeps the last; warned
    elif isinstance(config, Mapping):
        where, data = "config", config
    elif any(cls.__name__ == "TrainingArguments" for cls in type(config).__mro__) and hasattr(config, "to_dict"):
        where, data = type(config).__name__, config.to_dict()  # a live TrainingArguments (or TRL's SFTConfig...)
    else:
        raise TypeError(
            f"hf: config must be a path to a recipe file (YAML/JSON), a mapping of TrainingArguments fields or a "
            f"TrainingArguments, got "
            f"{config!r} ({type(config).__name__})"
        )
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: a recipe is a mapping of TrainingArguments fields, got {type(data).__name__}")
    not_str = [k for k in data if not isinstance(k, str)]
    if not_str:
        raise TypeError(f"{where}: keys must be strings, got {not_str[0]!r}")
    check_nesting(where, "config", data)
    return dict(data), where


class _Reader:
    """Reads one recipe's fields, with the errors naming the file and the key, and the warnings collected."""

    def __init__(self, data: Mapping[str, Any], where: str, warn: Callable[[str], None]) -> None:
        self.data, self.where, self.warn = data, where, warn

    def error(self, key: str, message: str, exc: type[Exception] = ValueError) -> Exception:
        return exc(f"{self.where}: {key}: {message}")

    def number(self, key: str, value: Any, *, low: float | None = None, low_open: bool = False,
               high: float | None = None) -> float | int:  # fmt: skip
        """A finite real number within the bounds. For a TrainingArguments field, a string that Python reads as a
        number is what PyYAML gives for ``1e-5`` (no dot): read as that number, with a warning (argparse-based parsers
        convert it). Inside ``lr_scheduler_kwargs`` (``key`` with a dot) nothing converts it: an error."""
        if isinstance(value, bool):
            raise self.error(key, f"must be a number, got {value!r}", TypeError)
        if isinstance(value, str) and "." in key:
            raise self.error(
                key,
                f"must be a number, got the string {value!r} (transformers passes lr_scheduler_kwargs on as they are "
                "and fails on a string; PyYAML reads 1e-5 without a dot as a string: write 1.0e-05)",
                TypeError,
            )
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise self.error(key, f"must be a number, got the string {value!r}", TypeError) from None
            self.warn(
                f"{self.where}: {key}: {value!r} is a string (PyYAML, which HfArgumentParser uses, reads an exponent "
                f"without a dot such as 1e-5 as a string; HfArgumentParser.parse_yaml_file passes it on and the "
                f"Trainer fails on it): read as {number!r}; write {_yaml_float(number)} in the recipe"
            )
            value = number
        if not isinstance(value, numbers.Real):
            raise self.error(key, f"must be a number, got {value!r} ({type(value).__name__})", TypeError)
        if isinstance(value, (np.floating, np.integer)):
            value = value.item()
        if not math.isfinite(value):
            raise self.error(key, f"must be finite, got {value!r}")
        if (low is not None and (value <= low if low_open else value < low)) or (high is not None and value > high):
            left = "(" if low_open else "["
            lo = "-inf" if low is None else repr(low)
            hi = "inf" if high is None else repr(high)
            raise self.error(key, f"must be in {left}{lo}, {hi}], got {value!r}")
        return value

    def integer(self, key: str, value: Any, *, minimum: int) -> int:
        """An int >= ``minimum`` (an integral float such as ``100.0`` is that int: HF's arithmetic gives the same)."""
        number = self.number(key, value)
        if isinstance(number, float):
            if not number.is_integer():
                raise self.error(key, f"must be a whole number, got {value!r}")
            number = int(number)
        if number < minimum:
            raise self.error(key, f"must be an int >= {minimum}, got {number}")
        if abs(number) > MAX_INT:
            raise self.error(key, f"must be at most 2**53 = {MAX_INT} in magnitude, got {number}")
        return int(number)

    def choice(self, key: str, value: Any, choices: tuple[str, ...]) -> str:
        """One of ``choices``, spelled exactly (HF compares strings as they are)."""
        if not isinstance(value, str) or value not in choices:
            hint = closest_key_hint(value, choices) if isinstance(value, str) else ""
            raise self.error(key, f"must be one of {list(choices)}, got {value!r}{hint}")
        return value


def _check_keys(data: Mapping[str, Any], where: str, warn: Callable[[str], None]) -> None:
    """Every key is a schedule field, a TrainingArguments field or a known field of the other argument dataclasses;
    a typo of a schedule field is an error; anything else warns (it is not read)."""
    unknown = []
    for key in data:
        if key in LR_FIELDS or key in TRAINING_ARGUMENTS_FIELDS or key in _OTHER_PARSERS_FIELDS:
            continue
        alias = _ALIASES.get(key.lower())
        if alias is not None:
            raise ValueError(
                f"{where}: unknown key {key!r}: TrainingArguments calls it {alias!r} (a recipe with {key!r} leaves "
                f"{alias} at its default)"
            )
        close = difflib.get_close_matches(key, sorted(LR_FIELDS), n=1, cutoff=0.85)
        if close:
            raise ValueError(
                f"{where}: unknown key {key!r} (did you mean {close[0]!r}?): it is not a TrainingArguments field"
            )
        unknown.append(key)
    if unknown:
        warn(
            f"{where}: {sorted(unknown)} are not TrainingArguments fields (model, data or trainer-specific arguments "
            "of another parser): lrparity does not read them. If one of them changes the lr (a custom optimizer, "
            "per-parameter lr ratios, layer-wise schedulers), these values are not that run's."
        )


def _check_other_fields(r: _Reader, data: Mapping[str, Any], scheduler: str) -> None:
    """TrainingArguments fields that would change the lr that the schedule does not describe."""
    optim = data.get("optim")
    if isinstance(optim, str):
        if optim.startswith("schedule_free"):
            raise r.error(
                "optim",
                f"{optim!r} is a schedule-free optimizer: it runs its own warmup (warmup_steps) and averaging on top "
                "of the scheduler's lr, so no lr schedule describes the run; lrparity does not model it",
            )
        if optim.endswith("_layerwise"):
            raise r.error(
                "optim",
                f"{optim!r} builds one optimizer and one scheduler per parameter, stepped by a hook after each "
                "backward pass (per micro-batch, not per optimizer update): lrparity does not model it",
            )
    deepspeed = data.get("deepspeed")
    if isinstance(deepspeed, Mapping) and "scheduler" in deepspeed:
        raise r.error(
            "deepspeed",
            "the DeepSpeed config has a 'scheduler' section: DeepSpeed's scheduler then replaces the Trainer's "
            "lr_scheduler_type; convert that scheduler instead",
        )
    if isinstance(deepspeed, (str, os.PathLike)) and deepspeed:
        r.warn(
            f"{r.where}: deepspeed: {os.fspath(deepspeed)!r} is not read: if that DeepSpeed config has a 'scheduler' "
            "section, DeepSpeed's scheduler replaces lr_scheduler_type and these values are not the run's"
        )
    if data.get("parallelism_config") is not None:
        r.warn(
            f"{r.where}: parallelism_config: with sequence parallelism (sp_size > 1) the Trainer counts "
            "len(train_dataloader) * sp_size batches per epoch: give that as steps_per_epoch"
        )
    if data.get("auto_find_batch_size") is True:
        r.warn(
            f"{r.where}: auto_find_batch_size: after an out-of-memory error the Trainer restarts with half the batch "
            "size, more batches per epoch and a new schedule: steps_per_epoch must be the final run's"
        )
    if scheduler in ("reduce_lr_on_plateau", "greedy"):
        strategy = data.get("eval_strategy", data.get("evaluation_strategy", "no"))
        if strategy in (None, "no", False):
            raise r.error(
                "eval_strategy",
                f"lr_scheduler_type {scheduler} is stepped with the metric of each evaluation, and TrainingArguments "
                f"requires an eval strategy for it ('steps' or 'epoch'), got {strategy!r}",
            )


def _scheduler_kwargs(r: _Reader, scheduler: str, raw: Any) -> dict[str, Any]:
    """``lr_scheduler_kwargs`` validated for ``scheduler`` (a mapping, or the JSON string TrainingArguments parses)."""
    key = "lr_scheduler_kwargs"
    if raw is None:
        raw = {}
    if isinstance(raw, str):
        if not raw.startswith("{"):
            raise r.error(key, f"must be a mapping or a JSON object string, got {raw!r}", TypeError)
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise r.error(key, f"is not valid JSON: {exc}") from None
        raw = _convert_str_dict(raw)
    if not isinstance(raw, Mapping):
        raise r.error(key, f"must be a mapping, got {raw!r} ({type(raw).__name__})", TypeError)
    kwargs = dict(raw)
    if scheduler in ("constant", "constant_with_warmup"):
        if kwargs:
            r.warn(
                f"{r.where}: {key}: {sorted(kwargs)} ignored: transformers builds {scheduler} without "
                "lr_scheduler_kwargs"
            )
        return {}
    allowed = dict(SCHEDULER_KWARGS[scheduler])
    if scheduler in _LAMBDA_SCHEDULERS:
        allowed["last_epoch"] = -1
    for name in kwargs:
        if not isinstance(name, str):
            raise r.error(key, f"keys must be strings, got {name!r}", TypeError)
        if name in ("optimizer", "num_warmup_steps", "num_training_steps"):
            raise r.error(
                key,
                f"{name!r} is set by the Trainer (warmup_steps, max_steps/num_train_epochs); transformers raises "
                "TypeError when lr_scheduler_kwargs repeats it",
            )
        if name not in allowed:
            raise r.error(
                key,
                f"{scheduler} takes no argument {name!r}{closest_key_hint(name, allowed)} (transformers raises "
                f"TypeError); it takes {sorted(allowed)}",
            )
    if "last_epoch" in kwargs:
        if kwargs["last_epoch"] != -1 or isinstance(kwargs["last_epoch"], bool):
            raise r.error(
                f"{key}.last_epoch",
                f"{kwargs['last_epoch']!r}: only -1 (the default) is meaningful in a recipe: the Trainer restores the "
                "scheduler's step when it resumes, and LambdaLR with last_epoch >= 0 fails without 'initial_lr'",
            )
        del kwargs["last_epoch"]
    missing = [name for name, default in allowed.items() if default is _REQUIRED and name not in kwargs]
    if missing:
        raise r.error(key, f"{scheduler} needs {missing[0]!r} (transformers raises TypeError without it)")
    return kwargs


def _convert_str_dict(value: dict[str, Any]) -> dict[str, Any]:
    """TrainingArguments' conversion of a JSON ``lr_scheduler_kwargs`` string's values: "true"/"false" to bools,
    digit strings to ints, "1.5"-like strings to floats (nested dicts too)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = _convert_str_dict(item)
        elif isinstance(item, str):
            if item.lower() in ("true", "false"):
                item = item.lower() == "true"
            elif item.isdigit():
                item = int(item)
            elif item.replace(".", "", 1).isdigit():
                item = float(item)
        out[key] = item
    return out


def _updates_per_epoch(steps_per_epoch: int, accumulation: int) -> int:
    """Optimizer updates per epoch as the Trainer counts them: the last, shorter accumulation is an update too."""
    return max(steps_per_epoch // accumulation + int(steps_per_epoch % accumulation > 0), 1)


def _read(config: Any, steps_per_epoch: int | None, warn: Callable[[str], None]) -> tuple[TrainerRun, _Reader]:
    data, where = _load(config)
    _check_keys(data, where, warn)
    r = _Reader(data, where, warn)
    get = lambda key: data[key] if key in data else DEFAULTS[key]

    scheduler = r.choice("lr_scheduler_type", get("lr_scheduler_type"), SCHEDULER_TYPES)
    _check_other_fields(r, data, scheduler)
    if "learning_rate" not in data:
        warn(
            f"{where}: no learning_rate: TrainingArguments' default 5e-05 is used (trainers built on it have other "
            "defaults, e.g. TRL's SFTConfig 2e-05, DPOConfig/GRPOConfig 1e-06: give learning_rate)"
        )
    lr = r.number("learning_rate", get("learning_rate"), low=0.0, low_open=True)
    accumulation = r.integer("gradient_accumulation_steps", get("gradient_accumulation_steps"), minimum=1)
    max_steps = r.integer("max_steps", get("max_steps"), minimum=-(2**62))
    if max_steps == 0:
        raise r.error("max_steps", "0 gives a run of 0 updates; give max_steps > 0, or -1 to count num_train_epochs")
    epochs = r.number("num_train_epochs", get("num_train_epochs"), low=0.0, low_open=True)
    per_epoch = None
    if steps_per_epoch is not None:
        if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral):
            raise TypeError(f"hf: steps_per_epoch must be an int >= 1 (len(train_dataloader)), got {steps_per_epoch!r}")
        if steps_per_epoch < 1:
            raise ValueError(f"hf: steps_per_epoch must be an int >= 1 (len(train_dataloader)), got {steps_per_epoch}")
        per_epoch = _updates_per_epoch(int(steps_per_epoch), accumulation)
    metric_driven = scheduler in ("reduce_lr_on_plateau", "greedy")
    total: int | None
    if max_steps > 0:
        total = max_steps
        if "num_train_epochs" in data:
            warn(f"{where}: num_train_epochs ignored: max_steps={max_steps} > 0 sets the run (the Trainer's rule)")
    elif per_epoch is None and metric_driven:
        total = None  # stepped per evaluation: the run's length does not enter the schedule
    else:
        if per_epoch is None:
            raise ValueError(
                f"{where}: max_steps is {max_steps} (<= 0), so the run is num_train_epochs={epochs!r} epochs: give "
                "steps_per_epoch=len(train_dataloader) (batches per epoch per process)"
            )
        total = math.ceil(epochs * per_epoch)

    warmup_steps = r.number("warmup_steps", get("warmup_steps"), low=0.0)
    ratio = data.get("warmup_ratio")
    if ratio is not None:
        ratio = r.number("warmup_ratio", ratio, low=0.0, high=1.0)
        if warmup_steps > 0 and ratio > 0:
            warn(
                f"{where}: warmup_ratio={ratio!r} ignored: warmup_steps={warmup_steps!r} > 0 overrides it "
                "(transformers 4.x; 5.x has no warmup_ratio)"
            )
    if warmup_steps >= 1:
        if isinstance(warmup_steps, float) and not warmup_steps.is_integer():
            warn(f"{where}: warmup_steps={warmup_steps!r} is truncated to {int(warmup_steps)} updates (int(), as HF)")
        warmup = int(warmup_steps)
    elif warmup_steps > 0:
        warmup = math.ceil((total or 0) * warmup_steps)
    elif ratio is not None:
        warmup = math.ceil((total or 0) * ratio)
    else:
        warmup = 0

    kwargs = _scheduler_kwargs(r, scheduler, data.get("lr_scheduler_kwargs"))
    if scheduler == "constant" or metric_driven:
        if warmup_steps or ratio:
            warn(
                f"{where}: the warmup (warmup_steps / warmup_ratio) is ignored: transformers builds {scheduler} "
                "without num_warmup_steps" + (" (use constant_with_warmup)" if scheduler == "constant" else "")
            )
    elif total is not None and warmup >= total:
        raise ValueError(
            f"{where}: the warmup is {warmup} updates, not fewer than the {total} updates of the run: the lr never "
            "leaves the warmup (check warmup_steps / warmup_ratio against max_steps / num_train_epochs)"
        )
    run = TrainerRun(scheduler, lr, warmup, total, MappingProxyType(kwargs), per_epoch if max_steps <= 0 else None)
    return run, r


def resolve(config: Any, *, steps_per_epoch: int | None = None) -> TrainerRun:
    """What ``Trainer`` makes of a recipe: the scheduler name, ``learning_rate``, ``W``, ``N`` and the scheduler's
    keyword arguments (see :class:`TrainerRun`); warnings as :func:`schedule`."""
    return _read(config, steps_per_epoch, _warner())[0]


def _warner() -> Callable[[str], None]:
    def warn(message: str) -> None:
        warnings.warn(message, HfWarning, stacklevel=4)

    return warn


# -- the schedule ----------------------------------------------------------------------------------------------------


def schedule(config: Any, *, steps_per_epoch: int | None = None) -> Schedule | Plateau | Greedy:
    """The absolute lr schedule of a Hugging Face recipe, per optimizer update, exactly as ``Trainer`` runs it.

    Args:
        config: a recipe file (YAML read with PyYAML's rules as ``HfArgumentParser`` reads it, or JSON), a mapping
            of ``TrainingArguments`` fields, or a ``TrainingArguments`` object (``trainer.args``; read through its
            ``to_dict()``). Keys that do not set the schedule are accepted (model, data and TRL
            arguments of the same file too); a key that looks like a misspelt schedule field is an error.
        steps_per_epoch: ``len(train_dataloader)``, batches per epoch per process (after ``dataloader_drop_last``);
            needed when ``max_steps <= 0`` (the run counted in ``num_train_epochs``). Updates per epoch are that
            divided by ``gradient_accumulation_steps``, rounded up.

    Returns:
        ``WithBaseLR(<core schedule>, learning_rate)``; ``values(range(N))`` are the lrs of the ``N`` updates.
        ``reduce_lr_on_plateau``: a :class:`~lrparity.core.plateau.Plateau` (torch semantics), ``greedy``: a
        :class:`~lrparity.core.greedy.Greedy`, each starting at ``learning_rate``, to update once per evaluation
        with the metric ``metric_for_best_model``.

    Raises:
        ValueError: a key, value or combination that transformers rejects, or that is meaningless (a warmup not
            shorter than the run), naming the key; a schedule field HF would ignore warns (:class:`HfWarning`).
        TypeError: a value of the wrong type.
    """
    run, r = _read(config, steps_per_epoch, _warner())
    return _build(run, r)


def _build(run: TrainerRun, r: _Reader) -> Schedule | Plateau | Greedy:
    name, lr, w, n, kw = (
        run.lr_scheduler_type,
        run.learning_rate,
        run.num_warmup_steps,
        run.num_training_steps,
        run.scheduler_kwargs,
    )
    key = "lr_scheduler_kwargs"

    def num(arg: str, **bounds: Any) -> Any:
        default = SCHEDULER_KWARGS[name][arg]
        value = kw.get(arg, default)
        if value is None and default is None:  # HF's None: "not given" (timescale, warmup_lr_rate)
            return None
        return r.number(f"{key}.{arg}", value, **bounds)

    def rate() -> float:
        min_lr, min_lr_rate = kw.get("min_lr"), kw.get("min_lr_rate")
        if min_lr is not None and min_lr_rate is not None:
            raise r.error(key, f"{name} takes min_lr or min_lr_rate, not both (transformers raises)")
        if min_lr is not None:
            floor = r.number(f"{key}.min_lr", min_lr, low=0.0, high=lr)
            return floor / lr  # HF: min_lr / optimizer.defaults["lr"]
        if min_lr_rate is None:
            raise r.error(key, f"{name} needs min_lr or min_lr_rate (transformers raises without one)")
        return r.number(f"{key}.min_lr_rate", min_lr_rate, low=0.0, high=1.0)

    shape: Schedule
    if name == "linear":
        shape = LinearWarmupDecay(w, n)
    elif name == "cosine":
        shape = CosineWarmupDecay(w, n, num_cycles=num("num_cycles", low=0.0, low_open=True))
    elif name == "cosine_with_restarts":
        shape = CosineWarmupDecay(w, n, num_cycles=num("num_cycles", low=0.0, low_open=True), hard_restarts=True)
    elif name == "polynomial":
        end = num("lr_end", low=0.0)
        if not lr > end:
            raise r.error(f"{key}.lr_end", f"{end!r} must be smaller than learning_rate ({lr!r}), as transformers "
                          "requires")  # fmt: skip
        shape = PolynomialWarmupDecay(w, n, lr_init=lr, lr_end=end, power=num("power", low=0.0))
    elif name == "constant":
        shape = Constant()
    elif name == "constant_with_warmup":
        shape = ConstantWarmup(w)
    elif name == "inverse_sqrt":
        shape = InverseSqrtWarmupDecay(w, timescale=num("timescale", low=0.0, low_open=True))
    elif name == "cosine_with_min_lr":
        shape = CosineWarmupDecay(w, n, num_cycles=num("num_cycles", low=0.0, low_open=True), min_lr_rate=rate())
    elif name == "cosine_warmup_with_min_lr":
        shape = CosineWarmupDecayOneBased(
            w, n, num_cycles=num("num_cycles", low=0.0, low_open=True), min_lr_rate=rate(),
            warmup_lr_rate=num("warmup_lr_rate", low=0.0, high=1.0),
        )  # fmt: skip
    elif name == "warmup_stable_decay":
        shape = _wsd(run, r)
    else:  # reduce_lr_on_plateau, greedy
        return _metric_driven(run, r)
    return WithBaseLR(shape, lr)


def _wsd(run: TrainerRun, r: _Reader) -> WarmupStableDecay:
    kw, w, n, key = run.scheduler_kwargs, run.num_warmup_steps, run.num_training_steps, "lr_scheduler_kwargs"
    decay = r.integer(f"{key}.num_decay_steps", kw["num_decay_steps"], minimum=0)
    if kw.get("num_stable_steps") is not None:
        stable = r.integer(f"{key}.num_stable_steps", kw["num_stable_steps"], minimum=0)
        end = w + stable + decay
        r.warn(
            f"{r.where}: {key}.num_stable_steps={stable} is used instead of the run's length (HF warns too): the "
            f"warmup, stable and decay phases end at update {end}, the run at {n}"
            + ("" if end == n else (": the run stops inside the decay" if end > n else ": then min_lr_ratio holds"))
        )
    else:
        stable = n - w - decay
        if stable < 0:
            raise r.error(
                f"{key}.num_decay_steps",
                f"{decay}: warmup ({w}) + decay ({decay}) updates exceed the run ({n}): transformers would start the "
                "decay inside the warmup",
            )
    warmup_type = r.choice(f"{key}.warmup_type", kw.get("warmup_type", "linear"), _SHAPES)
    decay_type = r.choice(f"{key}.decay_type", kw.get("decay_type", "cosine"), _SHAPES)
    ratio = r.number(f"{key}.min_lr_ratio", kw.get("min_lr_ratio", 0), low=0.0, high=1.0)
    cycles = r.number(f"{key}.num_cycles", kw.get("num_cycles", 0.5), low=0.0, low_open=True)
    return WarmupStableDecay(w, stable, decay, warmup_type, decay_type, ratio, cycles)


def _metric_driven(run: TrainerRun, r: _Reader) -> Plateau | Greedy:
    """``reduce_lr_on_plateau`` (torch ``ReduceLROnPlateau``) or ``greedy`` (``GreedyLR``), starting at
    ``learning_rate``, with their parameters checked as torch / transformers check them."""
    name, kw, key = run.lr_scheduler_type, run.scheduler_kwargs, "lr_scheduler_kwargs"
    defaults = SCHEDULER_KWARGS[name]
    get = lambda arg: kw.get(arg, defaults[arg])
    for arg in ("min_lr", "max_lr") if name == "greedy" else ("min_lr",):
        if isinstance(get(arg), (list, tuple)):
            raise r.error(
                f"{key}.{arg}",
                "give one number: the Trainer's optimizer has one or two param groups (with and without weight "
                "decay) depending on the model, so a list's length cannot be checked here",
            )
    factor = r.number(f"{key}.factor", get("factor"), low=0.0, low_open=name == "greedy", high=1.0)
    if factor == 1.0:
        raise r.error(f"{key}.factor", "must be < 1.0, got 1.0 (torch / transformers raise)")
    common = {
        "mode": r.choice(f"{key}.mode", get("mode"), ("min", "max")),
        "factor": factor,
        "patience": r.integer(f"{key}.patience", get("patience"), minimum=0),
        "threshold": r.number(f"{key}.threshold", get("threshold"), low=0.0),
        "threshold_mode": r.choice(f"{key}.threshold_mode", get("threshold_mode"), ("rel", "abs")),
        "cooldown": r.integer(f"{key}.cooldown", get("cooldown"), minimum=0),
        "min_lr": r.number(f"{key}.min_lr", get("min_lr"), low=0.0),
        "eps": r.number(f"{key}.eps", get("eps"), low=0.0),
        "start_lr": run.learning_rate,
    }
    scheduler: Plateau | Greedy
    if name == "reduce_lr_on_plateau":
        scheduler = Plateau(semantics="torch", **common)
    else:
        if kw.get("verbose"):
            r.warn(f"{r.where}: {key}.verbose ignored: GreedyLR's messages do not change the lr")
        smooth = get("smooth")
        if not isinstance(smooth, bool):
            raise r.error(f"{key}.smooth", f"must be true or false, got {smooth!r}", TypeError)
        scheduler = Greedy(
            **common,
            warmup=r.integer(f"{key}.warmup", get("warmup"), minimum=0),
            max_lr=r.number(f"{key}.max_lr", get("max_lr"), low=0.0),
            smooth=smooth,
            window_size=r.integer(f"{key}.window_size", get("window_size"), minimum=1),
            reset_start=r.integer(f"{key}.reset_start", get("reset_start"), minimum=0),
        )
    metric = r.data.get("metric_for_best_model") or "loss"
    higher = r.data.get("greater_is_better")
    if higher is None:
        higher = not str(metric).endswith("loss")
    if "mode" not in kw and higher:
        r.warn(
            f"{r.where}: metric_for_best_model={metric!r} is better when higher, but {name}'s mode is 'min' "
            "(transformers does not derive it from greater_is_better): the lr is lowered when that metric stops "
            "DEcreasing; give lr_scheduler_kwargs: {mode: max}"
        )
    return scheduler


# -- export ----------------------------------------------------------------------------------------------------------

_EXPORT_RTOL = 1e-12


def export(
    schedule: Schedule | Plateau | Greedy,
    *,
    base_lr: float | None = None,
    max_steps: int | None = None,
    eval_strategy: str = "epoch",
) -> dict[str, Any]:
    """TrainingArguments fields (``lr_scheduler_type``, ``learning_rate``, ``warmup_steps``, ``max_steps``,
    ``lr_scheduler_kwargs``) that make ``Trainer`` run ``schedule``.

    Expressible: the schedules :func:`schedule` returns (every ``lr_scheduler_type``), and core
    schedules with the same values within 1e-12 of the peak lr over the run: ``Cosine`` (with ``eta_min``:
    cosine_with_min_lr), ``Linear(1, 0, T)``, ``Polynomial`` (no cycle), ``Constant(factor)``, ``Noam`` (as
    inverse_sqrt), ``CosineRestarts`` (``T_mult=1``, no decay), each optionally behind a linear warmup from 0
    (``Warmup(s, W)`` in prefix mode, or ``Sequence([Linear(0, 1, W), s], [W])``), and ``Plateau`` with torch
    semantics. The exported recipe is read back and compared at every update of the run (a run of more than 2M
    updates: at 1M updates spread over it, its first and last 10k and the end of its warmup); a schedule it does not
    reproduce within 1e-12 of its peak lr raises.

    Args:
        schedule: the schedule; a relative one needs ``base_lr`` (``WithBaseLR`` carries its own).
        base_lr: the lr a relative schedule scales (``learning_rate``).
        max_steps: the run's optimizer updates, for schedules without an end (constant, inverse_sqrt, a warmup to
            a constant); otherwise the schedule's own length is used and ``max_steps`` must equal it if given.
        eval_strategy: for a ``Plateau``: when the Trainer evaluates (and steps it): ``"epoch"`` or ``"steps"``.

    Raises:
        ValueError: what HF cannot express, named.
    """
    if isinstance(schedule, (Plateau, Greedy)):
        return _export_metric_driven(schedule, base_lr, eval_strategy)
    if not isinstance(schedule, Schedule):
        raise TypeError(f"hf export: schedule must be an lrparity Schedule, Plateau or Greedy, got {schedule!r}")
    if isinstance(schedule, WithBaseLR):
        if base_lr is not None and base_lr != schedule.base_lr:
            raise ValueError(
                f"hf export: the schedule carries base_lr={schedule.base_lr!r}; base_lr={base_lr!r} contradicts it"
            )
        inner, lr = schedule.schedule, schedule.base_lr
    elif schedule.uses_base_lr:
        if base_lr is None:
            raise ValueError(
                f"hf export: {type(schedule).__name__} is relative (its values scale a base lr): give base_lr=..., "
                "the recipe's learning_rate"
            )
        inner, lr = schedule, base_lr
    else:
        raise ValueError(
            f"hf export: {type(schedule).__name__} is an absolute schedule; HF schedules are learning_rate times a "
            "multiplier from 1 (or from 0 during a warmup), which cannot express it"
        )
    if not (isinstance(lr, numbers.Real) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"hf export: base_lr must be a finite number > 0 (learning_rate), got {lr!r}")
    config = _export_shape(inner, float(lr), max_steps)
    _check_round_trip(config, schedule, base_lr)
    return config


def _warmup_of(s: Schedule) -> tuple[int, Schedule]:
    """``(W, inner)`` of a linear warmup from 0 to the base lr in front of ``inner`` (or ``(0, s)``)."""
    if isinstance(s, Warmup):
        from_zero = (s.start_lr in (None, 0) and not s.start_factor) and s.shape == "linear" and s.mode == "prefix"
        to_peak = s.end_lr is None and s.end_factor in (None, 1)
        if from_zero and to_peak:
            return s.warmup_steps, s.schedule
    if isinstance(s, Sequence) and len(s.schedules) == 2:
        ramp, inner = s.schedules
        if (
            isinstance(ramp, Linear)
            and ramp.start_factor == 0
            and ramp.end_factor == 1
            and (ramp.total_steps == s.milestones[0])
        ):
            return s.milestones[0], inner
    return 0, s


def _length(w: int, span: float | None, max_steps: int | None, what: str) -> int:
    """The run's N: the warmup plus the decay's span, or ``max_steps`` for a schedule without an end."""
    if span is None:
        if max_steps is None:
            raise ValueError(f"hf export: {what} has no end: give max_steps=..., the run's optimizer updates")
        return _positive_int("max_steps", max_steps)
    if span != int(span) or span < 1:
        raise ValueError(f"hf export: {what} spans {span!r} steps: HF's max_steps counts whole updates")
    total = w + int(span)
    if max_steps is not None and _positive_int("max_steps", max_steps) != total:
        raise ValueError(
            f"hf export: max_steps={max_steps} contradicts the schedule, which ends after {total} updates ({what})"
        )
    return total


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"hf export: {name} must be an int >= 1, got {value!r}")
    return int(value)


def _export_shape(s: Schedule, lr: float, max_steps: int | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"learning_rate": lr}

    def done(name: str, w: int, n: int, **kwargs: Any) -> dict[str, Any]:
        cfg.update(lr_scheduler_type=name, warmup_steps=w, max_steps=n)
        if kwargs:
            cfg["lr_scheduler_kwargs"] = kwargs
        return cfg

    def cycles(nc: float, default: float) -> dict[str, Any]:
        return {} if nc == default else {"num_cycles": nc}

    # lrparity's own HF-shaped schedules: their parameters are HF's
    if isinstance(s, LinearWarmupDecay):
        return done("linear", s.warmup_steps, s.total_steps)
    if isinstance(s, CosineWarmupDecay):
        if s.hard_restarts:
            return done("cosine_with_restarts", s.warmup_steps, s.total_steps, **cycles(s.num_cycles, 1))
        if s.min_lr_rate:
            return done("cosine_with_min_lr", s.warmup_steps, s.total_steps, min_lr_rate=s.min_lr_rate,
                        **cycles(s.num_cycles, 0.5))  # fmt: skip
        return done("cosine", s.warmup_steps, s.total_steps, **cycles(s.num_cycles, 0.5))
    if isinstance(s, PolynomialWarmupDecay):
        if s.lr_init != lr:
            raise ValueError(
                f"hf export: PolynomialWarmupDecay(lr_init={s.lr_init!r}) at base lr {lr!r}: HF's polynomial takes "
                "lr_init from the optimizer's lr, so lr_init must equal learning_rate"
            )
        return done("polynomial", s.warmup_steps, s.total_steps, lr_end=s.lr_end, power=s.power)
    if isinstance(s, CosineWarmupDecayOneBased):
        extra = {} if s.warmup_lr_rate is None else {"warmup_lr_rate": s.warmup_lr_rate}
        return done("cosine_warmup_with_min_lr", s.warmup_steps, s.total_steps, min_lr_rate=s.min_lr_rate,
                    **cycles(s.num_cycles, 0.5), **extra)  # fmt: skip
    if isinstance(s, Shift) and s.offset == 1 and isinstance(s.schedule, CosineWarmupDecay):
        c = s.schedule
        if not c.hard_restarts:
            return done("cosine_warmup_with_min_lr", c.warmup_steps, c.total_steps, min_lr_rate=c.min_lr_rate,
                        **cycles(c.num_cycles, 0.5))  # fmt: skip
    if isinstance(s, ConstantWarmup):
        n = _length(s.warmup_steps, None, max_steps, "ConstantWarmup")
        if s.warmup_steps == 0:
            return done("constant", 0, n)
        return done("constant_with_warmup", s.warmup_steps, n)
    if isinstance(s, InverseSqrtWarmupDecay):
        n = _length(s.warmup_steps, None, max_steps, "InverseSqrtWarmupDecay")
        default = s.warmup_steps or 10_000
        extra = {} if s.timescale == default else {"timescale": s.timescale}
        return done("inverse_sqrt", s.warmup_steps, n, **extra)
    if isinstance(s, WarmupStableDecay):
        n = s.warmup_steps + s.stable_steps + s.decay_steps
        kwargs: dict[str, Any] = {"num_decay_steps": s.decay_steps}
        if max_steps is not None and _positive_int("max_steps", max_steps) != n:
            kwargs["num_stable_steps"] = s.stable_steps  # a run longer or shorter than the three phases
            n = max_steps
        for name, value, default in (
            ("warmup_type", s.warmup_shape, "linear"), ("decay_type", s.decay_shape, "cosine"),
            ("min_lr_ratio", s.min_lr_ratio, 0), ("num_cycles", s.num_cycles, 0.5),
        ):  # fmt: skip
            if value != default:
                kwargs[name] = value
        return done("warmup_stable_decay", s.warmup_steps, n, **kwargs)
    if isinstance(s, Noam):
        # b * d**-0.5 * min(t**-0.5, W**-1.5 t) is HF inverse_sqrt (timescale W) at lr = b * d**-0.5 * W**-0.5
        cfg["learning_rate"] = lr * s.d_model**-0.5 * s.warmup_steps**-0.5
        return done("inverse_sqrt", s.warmup_steps, _length(s.warmup_steps, None, max_steps, "Noam"))

    # other core schedules, behind an optional warmup from 0
    w, inner = _warmup_of(s)
    what = type(inner).__name__
    if isinstance(inner, Constant) and (inner.total_steps is None or inner.factor == 1):
        if inner.factor != 1:
            if w:
                raise ValueError("hf export: a warmup to a constant below the base lr: HF warms up to learning_rate")
            cfg["learning_rate"] = lr * inner.factor  # Constant(factor) is the constant lr base * factor
        n = _length(w, None, max_steps, "a constant lr")
        return done("constant_with_warmup" if w else "constant", w, n)
    if isinstance(inner, Cosine):
        n = _length(w, inner.T_max, max_steps, what)
        if inner.eta_min:
            return done("cosine_with_min_lr", w, n, min_lr=inner.eta_min)
        return done("cosine", w, n)
    if isinstance(inner, Linear) and inner.start_factor == 1 and inner.end_factor == 0:
        return done("linear", w, _length(w, inner.total_steps, max_steps, what))
    if isinstance(inner, Polynomial) and not inner.cycle:
        return done("polynomial", w, _length(w, inner.total_steps, max_steps, what), lr_end=inner.end_lr,
                    power=inner.power)  # fmt: skip
    if (
        isinstance(inner, CosineRestarts)
        and inner.T_mult == 1
        and inner.eta_min == 0
        and inner.cycle_decay == 1
        and inner.k_decay == 1
    ):
        if inner.cycle_limit is not None:
            n = _length(w, inner.T_0 * inner.cycle_limit, max_steps, what)
        else:
            n = _length(w, None, max_steps, what)
        span = n - w
        if span % inner.T_0:
            raise ValueError(
                f"hf export: CosineRestarts(T_0={inner.T_0}) over {span} updates: HF's cosine_with_restarts fits a "
                "whole number of cycles in the run"
            )
        return done("cosine_with_restarts", w, n, **cycles(span // inner.T_0, 1))
    raise ValueError(
        f"hf export: HF's lr_scheduler_type cannot express {_describe(s)}: it has linear, cosine (with min lr, hard "
        "restarts or one-based), polynomial, constant, inverse_sqrt and warmup_stable_decay decays, each after a "
        "linear warmup from 0"
    )


def _describe(s: Schedule) -> str:
    w, inner = _warmup_of(s)
    return f"{type(inner).__name__} (after a {w}-step warmup)" if w else type(s).__name__


def _export_metric_driven(p: Plateau | Greedy, base_lr: float | None, eval_strategy: str) -> dict[str, Any]:
    name = "greedy" if isinstance(p, Greedy) else "reduce_lr_on_plateau"
    if isinstance(p, Plateau) and p.warmup is not None:
        raise ValueError(
            f"hf export: Plateau(warmup_steps={p.warmup_steps}, warmup=...): HF's reduce_lr_on_plateau has no warmup "
            "phase (the Trainer ignores warmup_steps for it)"
        )
    if isinstance(p, Plateau) and p.semantics != "torch":
        raise ValueError(
            "hf export: Plateau(semantics='paddle'): HF runs torch's ReduceLROnPlateau, whose cooldown and relative "
            "threshold arithmetic differ from paddle's; use semantics='torch'"
        )
    defaults = SCHEDULER_KWARGS[name]
    for arg in ("min_lr", "max_lr"):
        if isinstance(getattr(p, arg, None), tuple):
            raise ValueError(f"hf export: {type(p).__name__} with one {arg} per param group: give HF one number")
    lr = p.start_lr if p.start_lr is not None else base_lr
    if p.start_lr is not None and base_lr is not None and base_lr != p.start_lr:
        raise ValueError(
            f"hf export: the {type(p).__name__} starts at {p.start_lr!r}; base_lr={base_lr!r} contradicts it"
        )
    if lr is None:
        raise ValueError(
            f"hf export: the {type(p).__name__} has no start_lr: give base_lr=..., the recipe's learning_rate"
        )
    if eval_strategy not in ("epoch", "steps"):
        raise ValueError(f"hf export: eval_strategy must be 'epoch' or 'steps', got {eval_strategy!r}")
    kwargs = {
        arg: getattr(p, arg)
        for arg in defaults
        if arg != "verbose" and (getattr(p, arg) != defaults[arg] or arg == "mode")
    }
    return {
        "lr_scheduler_type": name,
        "learning_rate": lr,
        "lr_scheduler_kwargs": kwargs,
        "eval_strategy": eval_strategy,
    }


def _check_round_trip(config: dict[str, Any], s: Schedule, base_lr: float | None) -> None:
    """The exported recipe, read back, gives ``s``'s values at every update of the run, within 1e-12 of the peak."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HfWarning)
        back = schedule(config)
    n = config["max_steps"]
    assert isinstance(back, Schedule)
    steps = _check_steps(n, config.get("warmup_steps", 0))
    want = s.values(steps, base_lr)
    got = back.values(steps)
    scale = float(np.max(np.abs(want))) if n else 0.0
    diff = np.abs(got - want)
    bad = np.flatnonzero(diff > _EXPORT_RTOL * scale)
    if bad.size:
        i = int(steps[bad[0]])
        got, want = dict(zip(steps.tolist(), got.tolist())), dict(zip(steps.tolist(), want.tolist()))
        raise ValueError(
            f"hf export: as HF lr_scheduler_type {config['lr_scheduler_type']!r} the schedule differs at update {i}: "
            f"{got[i]!r} instead of {want[i]!r} (more than 1e-12 of the peak lr {scale!r})"
        )


_CHECK_ALL = 2_000_000
"""Runs up to this many updates are compared at every update; longer ones at a spread sample (see _check_steps)."""


def _check_steps(n: int, warmup: int) -> np.ndarray:
    """Every update of a run of ``n`` updates, or for a longer run: the first and last 10k updates, 10k around the
    end of the warmup, and 1M spread evenly over the run."""
    if n <= _CHECK_ALL:
        return np.arange(n, dtype=np.int64)
    parts = [np.arange(10_000), np.arange(n - 10_000, n), np.arange(max(warmup - 5_000, 0), min(warmup + 5_000, n)),
             np.linspace(0, n - 1, 1_000_000).astype(np.int64)]  # fmt: skip
    return np.unique(np.concatenate(parts).astype(np.int64))


def dumps(config: Mapping[str, Any]) -> str:
    """The TrainingArguments fields as recipe YAML (what ``HfArgumentParser.parse_yaml_file`` and TRL read), floats
    written with a dot and a signed exponent so that PyYAML reads them back as floats."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def floats(dumper: Any, value: float) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:float", _yaml_float(value))

    _Dumper.add_representer(float, floats)
    if not isinstance(config, Mapping):
        raise TypeError(f"hf dumps: config must be a mapping of TrainingArguments fields, got {config!r}")
    order = ["lr_scheduler_type", "learning_rate", "warmup_steps", "max_steps", "num_train_epochs",
             "gradient_accumulation_steps", "lr_scheduler_kwargs", "eval_strategy"]  # fmt: skip
    ordered = {k: config[k] for k in order if k in config}
    ordered.update({k: v for k, v in config.items() if k not in ordered})
    body = yaml.dump(_plain(ordered), Dumper=_Dumper, sort_keys=False, default_flow_style=False)
    return "# Hugging Face TrainingArguments (lr schedule fields), written by lrparity\n" + body


def _yaml_float(value: float) -> str:
    """``repr(value)`` in a form PyYAML (YAML 1.1) reads back as the same float: a dot in the mantissa and a signed
    exponent (``1e-05`` is a string to PyYAML, ``1.0e-05`` a float)."""
    text = repr(float(value))
    if "e" not in text:
        return text if "." in text or "n" in text else text + ".0"
    mantissa, exponent = text.split("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


# -- the real library ------------------------------------------------------------------------------------------------


class _Batches:
    """A stand-in for the train dataloader: only its length matters to the Trainer's counting."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


@contextlib.contextmanager
def _quiet_and_seeded(transformers: Any, torch: Any) -> Iterator[None]:
    """Restore the global RNGs the Trainer seeds, and keep its logging quiet."""
    states = (random.getstate(), np.random.get_state(), torch.random.get_rng_state())
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        transformers.logging.set_verbosity(verbosity)
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.random.set_rng_state(states[2])


def reference(
    config: Any,
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    metrics: Any = None,
) -> np.ndarray:
    """The lrs that the real ``transformers`` Trainer uses, per optimizer update: a ``Trainer`` (tiny model) built
    from the recipe's ``TrainingArguments`` counts ``N`` (``set_initial_training_values``) and ``W``
    (``args.get_warmup_steps``), creates its optimizer and scheduler (``create_optimizer_and_scheduler``:
    ``get_scheduler(...)``), and the scheduler is stepped after each update, as ``Trainer`` steps it.

    Args:
        config: the recipe, as :func:`schedule` takes it. Only the schedule fields reach TrainingArguments (a 4.x
            ``warmup_ratio`` as the 5.x ratio ``warmup_steps`` when ``warmup_steps`` is 0; number strings as floats).
        steps_per_epoch: ``len(train_dataloader)`` (when the run is counted in epochs).
        steps: values to return; default: ``N`` (for a metric-driven scheduler: one more than ``len(metrics)``).
        lr_module: the ``transformers`` package to use (default: ``import transformers``).
        metrics: for ``reduce_lr_on_plateau`` and ``greedy``: the metric of each evaluation; the result is the lr
            before the first evaluation, then after each.

    Raises:
        ImportError: transformers (or torch) is not installed.
    """
    if lr_module is None:
        try:
            import transformers as lr_module
        except ImportError as exc:
            raise ImportError(
                "hf reference: needs transformers (pip install 'transformers==5.24.0', and torch)"
            ) from exc
    import torch

    transformers = lr_module
    data, _ = _load(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HfWarning)
        run, _ = _read(data, steps_per_epoch, lambda message: None)  # same validation as schedule()
    fields: dict[str, Any] = {}
    passed = (*DEFAULTS, "metric_for_best_model", "greater_is_better")
    for key in passed:
        if data.get(key) is not None:
            fields[key] = data[key]
    for key in ("learning_rate", "warmup_steps", "num_train_epochs"):
        if isinstance(fields.get(key), str):
            fields[key] = float(fields[key])
    ratio = data.get("warmup_ratio")
    if ratio is not None and not float(fields.get("warmup_steps", 0)) > 0:
        fields["warmup_steps"] = float(ratio)  # 4.x: ceil(N * warmup_ratio); 5.x reads a float < 1 as that ratio
    if run.lr_scheduler_type in ("reduce_lr_on_plateau", "greedy"):
        fields["eval_strategy"] = "steps"
        fields["eval_steps"] = 1
    with _quiet_and_seeded(transformers, torch), tempfile.TemporaryDirectory(prefix="lrparity-hf-") as folder:
        args = transformers.TrainingArguments(output_dir=folder, report_to="none", use_cpu=True, **fields)
        evaluates = run.lr_scheduler_type in ("reduce_lr_on_plateau", "greedy")
        trainer = transformers.Trainer(model=torch.nn.Linear(1, 1), args=args, eval_dataset=[{}] if evaluates else None)
        if run.num_training_steps is None:  # a metric-driven scheduler: the run's length does not enter it
            total = 1
        else:
            loader = _Batches(steps_per_epoch) if steps_per_epoch is not None else object()
            total = trainer.set_initial_training_values(args, loader)[-1]
        trainer.create_optimizer_and_scheduler(num_training_steps=total)
        optimizer, scheduler = trainer.optimizer, trainer.lr_scheduler
        lrs = []
        if run.lr_scheduler_type in ("reduce_lr_on_plateau", "greedy"):
            lrs.append(optimizer.param_groups[0]["lr"])
            for metric in [] if metrics is None else list(metrics):
                scheduler.step(metric)  # Trainer.evaluate: scheduler.step(metrics[metric_for_best_model])
                lrs.append(optimizer.param_groups[0]["lr"])
            if steps is not None:
                lrs = lrs[:steps]
        else:
            for _ in range(total if steps is None else steps):
                lrs.append(optimizer.param_groups[0]["lr"])  # the lr of this update
                optimizer.step()
                scheduler.step()  # Trainer: after each optimizer step (not when AMP skipped it)
    return np.asarray(lrs, dtype=np.float64)
