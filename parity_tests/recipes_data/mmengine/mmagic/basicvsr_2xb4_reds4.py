# Excerpt of open-mmlab/mmagic configs/basicvsr/basicvsr_2xb4_reds4.py @ 459621ac320e8ebee39ca3ea301db0b2811d51f2: the
# keys that set the schedule, verbatim (its _base_ files set none of them). Copyright (c) OpenMMLab, Apache-2.0.
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=300_000, val_interval=5000)
val_cfg = dict(type='ValLoop')

# optimizer
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99)),
    paramwise_cfg=dict(custom_keys={'spynet': dict(lr_mult=0.125)}))

# learning policy
param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[300000],
    restart_weights=[1],
    eta_min=1e-7)
