# Source: open-mmlab/mmocr configs/textrecog/_base_/schedules/schedule_adadelta_5e.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a (verbatim). Copyright (c) OpenMMLab, Apache-2.0.
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adadelta', lr=1.0))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=5, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# learning rate
param_scheduler = [
    dict(type='ConstantLR', factor=1.0),
]
