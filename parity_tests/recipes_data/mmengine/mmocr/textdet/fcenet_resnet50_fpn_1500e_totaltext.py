# Excerpt of open-mmlab/mmocr configs/textdet/fcenet/fcenet_resnet50_fpn_1500e_totaltext.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a: the keys that set
# the schedule, verbatim, and its schedule _base_. Copyright (c) OpenMMLab, Apache-2.0.
_base_ = ['../_base_/schedules/schedule_sgd_base.py']

optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=5e-4))
train_cfg = dict(max_epochs=1500)
# learning policy
param_scheduler = [
    dict(type='StepLR', gamma=0.8, step_size=200, end=1200),
]
