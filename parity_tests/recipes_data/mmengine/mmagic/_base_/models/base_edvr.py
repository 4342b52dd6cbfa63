# Excerpt of open-mmlab/mmagic configs/_base_/models/base_edvr.py @ 110f54bbd1b8a9c1aa0172c902bc488f6a2451d6: the keys
# that set the schedule, verbatim. Copyright (c) OpenMMLab, Apache-2.0.
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=600_000, val_interval=5000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')

# optimizer
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.999)),
)
