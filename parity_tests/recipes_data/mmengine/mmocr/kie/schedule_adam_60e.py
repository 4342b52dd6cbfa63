# Source: open-mmlab/mmocr configs/kie/_base_/schedules/schedule_adam_60e.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a (verbatim). Copyright (c) OpenMMLab, Apache-2.0.
# optimizer
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', weight_decay=0.0001))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=60, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# learning rate
param_scheduler = [
    dict(type='MultiStepLR', milestones=[40, 50], end=60),
]
