# Excerpt of open-mmlab/mmocr configs/textrecog/master/master_resnet31_12e_st_mj_sa.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a: the keys that set the
# schedule, verbatim, and its schedule _base_. Copyright (c) OpenMMLab, Apache-2.0.
_base_ = ['../_base_/schedules/schedule_adam_base.py']

optim_wrapper = dict(optimizer=dict(lr=4e-4))
train_cfg = dict(max_epochs=12)
# learning policy
param_scheduler = [
    dict(type='LinearLR', end=100, by_epoch=False),
    dict(type='MultiStepLR', milestones=[11], end=12),
]
