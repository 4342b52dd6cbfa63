"""The Paddle side, built the way PaddleClas builds it and stepped the way its trainer steps it.

PaddleClas's ``ppcls/optimizer/learning_rate.py`` ships in neither the ``paddleclas`` wheel nor its sdist, so this is
an independent re-statement of it (written for lrparity from the semantics of PaddleClas develop d178931, not
copied): one function per lr class with the class's keyword signature, building the stock ``paddle.optimizer.lr``
schedulers (``LinearWarmup``, ``PolynomialDecay``, ``CosineAnnealingDecay``, ``CyclicLR``, ``StepDecay``,
``PiecewiseDecay``, ``MultiStepDecay``, ``ReduceOnPlateau``, ``LambdaDecay``, ``OneCycleLR``) plus PaddleClas's bare
``Constant`` scheduler; then ``build_lr_scheduler`` and the training loops of ``ppcls/engine/engine.py`` and
``ppcls/engine/train/*.py`` (when ``step()`` is called, and with what). A module holding PaddleClas's real classes
(``lr_module``, e.g. loaded from a PaddleClas checkout) can be run instead. It never uses lrparity's core; paddle is
imported lazily.
"""

from __future__ import annotations

import copy
import math
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["build_scheduler", "reference_lrs"]


def _lr() -> Any:
    from paddle.optimizer import lr

    return lr


_CONSTANT: type | None = None


def _constant_class() -> type:
    """PaddleClas's bare ``Constant`` scheduler: ``get_lr`` is the given lr, whatever the step."""
    global _CONSTANT
    if _CONSTANT is None:

        class Constant(_lr().LRScheduler):
            def __init__(self, learning_rate: float, last_epoch: int = -1, **kwargs: Any) -> None:
                self.learning_rate = learning_rate
                super().__init__()  # PaddleClas passes nothing on: base_lr 0.1, last_epoch -1

            def get_lr(self) -> float:
                return self.learning_rate

        _CONSTANT = Constant
    return _CONSTANT


def _warmup_of(epochs: Any, spe: Any, warmup_epoch: Any, by_epoch: Any) -> tuple[Any, Any]:
    """``LRBase``: warmup_epoch clamped to epochs; the warmup in steps (epochs themselves with by_epoch)."""
    if warmup_epoch >= epochs:
        warmup_epoch = epochs
    return warmup_epoch, (warmup_epoch if by_epoch else round(warmup_epoch * spe))


def _with_warmup(sched: Any, steps: Any, start: Any, peak: Any, last_epoch: Any, by_epoch: Any) -> Any:
    if steps > 0:
        sched = _lr().LinearWarmup(
            learning_rate=sched, warmup_steps=steps, start_lr=start, end_lr=peak, last_epoch=last_epoch
        )
    sched.by_epoch = by_epoch
    return sched


def ConstLR(  # named as the PaddleClas class it restates
    epochs, step_each_epoch, learning_rate, warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1, by_epoch=False,
    **kwargs,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    sched = _constant_class()(learning_rate=learning_rate, last_epoch=last_epoch)
    return _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)


def Linear(
    epochs, step_each_epoch, learning_rate, end_lr=0.0, power=1.0, cycle=False, warmup_epoch=0, warmup_start_lr=0.0,
    last_epoch=-1, by_epoch=False, **kwargs,
):  # fmt: skip
    we, _ = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    decay_steps = epochs - we if by_epoch else (epochs - we) * step_each_epoch
    w = round(we * step_each_epoch)  # PaddleClas recomputes it, by_epoch or not
    if decay_steps > 0:
        sched = _lr().PolynomialDecay(
            learning_rate=learning_rate, decay_steps=decay_steps, end_lr=end_lr, power=power, cycle=cycle,
            last_epoch=last_epoch,
        )  # fmt: skip
    else:
        sched = _constant_class()(learning_rate)
    return _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)


def Cosine(
    epochs, step_each_epoch, learning_rate, eta_min=0.0, warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1,
    by_epoch=False, **kwargs,
):  # fmt: skip
    we, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    t_max = epochs - we if by_epoch else (epochs - we) * step_each_epoch
    if t_max > 0:
        sched = _lr().CosineAnnealingDecay(
            learning_rate=learning_rate, T_max=t_max, eta_min=eta_min, last_epoch=last_epoch
        )
    else:
        sched = _constant_class()(learning_rate)
    return _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)


def Cyclic(
    epochs, step_each_epoch, base_learning_rate, max_learning_rate, warmup_epoch, warmup_start_lr, step_size_up,
    step_size_down=None, mode="triangular", exp_gamma=1.0, scale_fn=None, scale_mode="cycle", by_epoch=False,
    last_epoch=-1, verbose=False,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    sched = _lr().CyclicLR(
        base_learning_rate=base_learning_rate, max_learning_rate=max_learning_rate, step_size_up=step_size_up,
        step_size_down=step_size_down, mode=mode, exp_gamma=exp_gamma, scale_fn=scale_fn, scale_mode=scale_mode,
        last_epoch=last_epoch, verbose=verbose,
    )  # fmt: skip
    return _with_warmup(sched, w, warmup_start_lr, base_learning_rate, last_epoch, by_epoch)


def Step(
    epochs, step_each_epoch, learning_rate, step_size, gamma, warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1,
    by_epoch=False, **kwargs,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    size = step_size if by_epoch else int(step_size * step_each_epoch)
    sched = _lr().StepDecay(learning_rate=learning_rate, step_size=size, gamma=gamma, last_epoch=last_epoch)
    return _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)


def Piecewise(
    epochs, step_each_epoch, decay_epochs, values, warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1,
    by_epoch=False, learning_rate=None, **kwargs,
):  # fmt: skip
    if learning_rate:  # the 10x-every-30-epochs rule replaces both lists
        starts = list(range(0, epochs, 30))
        values = [learning_rate * 0.1**i for i in range(len(starts))]
        decay_epochs = [epochs] if len(starts) == 1 else starts[1:]
        if len(starts) == 1:
            values = [values[0], values[0]]
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    bounds = decay_epochs if by_epoch is True else [e * step_each_epoch for e in decay_epochs]
    sched = _lr().PiecewiseDecay(boundaries=bounds, values=values, last_epoch=last_epoch)
    return _with_warmup(sched, w, warmup_start_lr, values[0], last_epoch, by_epoch)


def MultiStepDecay(
    epochs, step_each_epoch, learning_rate, milestones, gamma=0.1, warmup_epoch=0, warmup_start_lr=0.0,
    last_epoch=-1, by_epoch=False, **kwargs,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    steps = milestones if by_epoch else [m * step_each_epoch for m in milestones]
    sched = _lr().MultiStepDecay(learning_rate=learning_rate, milestones=steps, gamma=gamma, last_epoch=last_epoch)
    return _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)


def ReduceOnPlateau(
    epochs, step_each_epoch, learning_rate, mode="min", factor=0.1, patience=10, threshold=1e-4,
    threshold_mode="rel", cooldown=0, min_lr=0, epsilon=1e-8, warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1,
    by_epoch=False, **kwargs,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    sched = _lr().ReduceOnPlateau(
        learning_rate=learning_rate,
        mode=mode,
        factor=factor,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        min_lr=min_lr,
        epsilon=epsilon,
    )  # fmt: skip  (last_epoch is not passed on)
    sched = _with_warmup(sched, w, warmup_start_lr, learning_rate, last_epoch, by_epoch)
    sched.get_lr = types.MethodType(lambda self: self.last_lr, sched)  # PaddleClas patches it (for its log line)
    return sched


def CosineFixmatch(
    epochs, step_each_epoch, learning_rate, num_warmup_steps, num_cycles=7 / 16, last_epoch=-1, by_epoch=False
):  # fmt: skip
    total = epochs * step_each_epoch

    def multiplier(step: int) -> float:
        if step < num_warmup_steps:
            return float(step) / float(max(1, num_warmup_steps))
        progress = float(step - num_warmup_steps) / float(max(1, total - num_warmup_steps))
        return max(0.0, math.cos(math.pi * num_cycles * progress))

    sched = _lr().LambdaDecay(learning_rate=learning_rate, lr_lambda=multiplier, last_epoch=last_epoch)
    sched.by_epoch = by_epoch
    return sched


def OneCycleLR(
    epochs, step_each_epoch, max_learning_rate, warmup_epoch=0, warmup_start_lr=0.0, divide_factor=25.0,
    end_learning_rate=1e-10, phase_pct=0.3, anneal_strategy="cos", three_phase=False, by_epoch=False, last_epoch=-1,
    verbose=False,
):  # fmt: skip
    _, w = _warmup_of(epochs, step_each_epoch, warmup_epoch, by_epoch)
    sched = _lr().OneCycleLR(
        max_learning_rate=max_learning_rate, total_steps=epochs * step_each_epoch, end_learning_rate=end_learning_rate,
        divide_factor=divide_factor, phase_pct=phase_pct, anneal_strategy=anneal_strategy, three_phase=three_phase,
        last_epoch=last_epoch, verbose=verbose,
    )  # fmt: skip
    return _with_warmup(sched, w, warmup_start_lr, max_learning_rate, last_epoch, by_epoch)


_RESTATED = {
    "ConstLR": ConstLR,
    "Constant": lambda **cfg: _constant_class()(**cfg),
    "Linear": Linear,
    "Cosine": Cosine,
    "Cyclic": Cyclic,
    "Step": Step,
    "Piecewise": Piecewise,
    "MultiStepDecay": MultiStepDecay,
    "ReduceOnPlateau": ReduceOnPlateau,
    "CosineFixmatch": CosineFixmatch,
    "OneCycleLR": OneCycleLR,
}


def build_scheduler(lr_config: Mapping[str, Any], epochs: int, step_each_epoch: int, lr_module: Any = None) -> Any:
    """``build_lr_scheduler``: the lr block with ``epochs`` and ``step_each_epoch`` set, built by the class it
    names (a plain ``learning_rate`` without a name); raises what PaddleClas raises."""
    cfg = dict(lr_config)
    cfg.update({"epochs": epochs, "step_each_epoch": step_each_epoch})
    if "name" not in cfg:
        return cfg["learning_rate"]
    name = cfg.pop("name")
    if lr_module is not None:
        made = getattr(lr_module, name)(**cfg)
        return made if isinstance(made, _lr().LRScheduler) else made()
    return _RESTATED[name](**cfg)


def _optimizer_entries(optimizer: Any) -> list[dict[str, Any]]:
    if isinstance(optimizer, Mapping):
        return [dict(optimizer)]
    return [dict(next(iter(item.values()))) for item in optimizer]


def _iterations(glob: Mapping[str, Any], steps_per_epoch: int | None) -> tuple[int, int]:
    """``Engine.__init__``: iterations per epoch (Global.iter_per_epoch wins) and update_freq."""
    update_freq = glob.get("update_freq", 1)
    ipe = glob["iter_per_epoch"] if glob.get("iter_per_epoch", None) else steps_per_epoch
    if ipe is None:
        raise ValueError("steps_per_epoch (len(train_dataloader)) is needed without Global.iter_per_epoch")
    if ipe < update_freq:
        update_freq = 1
    return ipe // update_freq * update_freq, update_freq


def reference_lrs(
    config: Mapping[str, Any],
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    entry: int | None = None,
    metrics: Sequence[float] | None = None,
) -> np.ndarray:
    """The lr the optimizer reads at each update of the run (or of its first ``steps`` updates), stepping the
    scheduler as ``ppcls/engine/train/*.py`` and ``Engine.train`` do. ``config`` is read as PaddleClas reads it."""
    glob = config["Global"]
    epochs = glob["epochs"]
    ipe, update_freq = _iterations(glob, steps_per_epoch)
    entries = _optimizer_entries(config["Optimizer"])
    optimizer = copy.deepcopy(entries[entry or 0])
    sched = build_scheduler(optimizer["lr"], epochs, ipe // update_freq, lr_module)
    mode = glob.get("train_mode", None)
    every_iteration = mode in ("fixmatch", "fixmatch_ccssl", "metabin")
    updates = epochs * (ipe if every_iteration else ipe // update_freq)
    n = updates if steps is None else min(int(steps), updates)
    by_epoch = getattr(sched, "by_epoch", False)
    evaluates = glob.get("eval_during_train", True)  # PaddleClas requires the key; without it, lrparity evaluates
    if by_epoch and type(sched).__name__ == "ReduceOnPlateau" and metrics is None and evaluates:
        raise ValueError(
            "this ReduceOnPlateau is driven by the eval metric: pass metrics=[the metric of each evaluation]"
        )
    metric_source: Iterator[float] = iter(metrics or ())
    out: list[float] = []
    for epoch_id in range(1, epochs + 1):
        for iter_id in range(ipe):
            if every_iteration or (iter_id + 1) % update_freq == 0:
                out.append(float(sched() if callable(sched) else sched))
                if not by_epoch:
                    sched.step()  # a plain float lr fails here, as in PaddleClas
                if len(out) == n < updates:
                    return np.asarray(out, dtype=np.float64)
        plateau = type(sched).__name__ == "ReduceOnPlateau"
        if by_epoch and (mode in ("fixmatch", "fixmatch_ccssl") or not plateau):
            sched.step()
        _evaluate(glob, epoch_id, sched, by_epoch and plateau, metric_source)
    return np.asarray(out, dtype=np.float64)


def _evaluate(glob: Mapping[str, Any], epoch_id: int, sched: Any, plateau: bool, metrics: Iterator[float]) -> None:
    """``Engine.train``'s evaluation: a by_epoch ``ReduceOnPlateau`` steps with the metric."""
    start = glob.get("start_eval_epoch", 0) - 1
    interval = glob.get("eval_interval", 1)
    if not (glob.get("eval_during_train", True) and epoch_id % interval == 0 and epoch_id > start):
        return
    if plateau:
        try:
            sched.step(next(metrics))
        except StopIteration:
            raise ValueError(f"metrics ran out at the evaluation after epoch {epoch_id}") from None
