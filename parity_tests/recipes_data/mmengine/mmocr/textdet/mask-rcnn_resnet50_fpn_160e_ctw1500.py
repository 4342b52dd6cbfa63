# Excerpt of open-mmlab/mmocr configs/textdet/maskrcnn/mask-rcnn_resnet50_fpn_160e_ctw1500.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a: the keys that set
# the schedule, verbatim, and its schedule _base_. Copyright (c) OpenMMLab, Apache-2.0.
_base_ = ['../_base_/schedules/schedule_sgd_base.py']

# optimizer
optim_wrapper = dict(optimizer=dict(lr=0.08))
train_cfg = dict(max_epochs=160)
# learning policy
param_scheduler = [
    dict(type='LinearLR', end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', milestones=[80, 128], end=160),
]
