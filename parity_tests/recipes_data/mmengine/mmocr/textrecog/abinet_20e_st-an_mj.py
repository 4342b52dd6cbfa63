# Excerpt of open-mmlab/mmocr configs/textrecog/abinet/abinet_20e_st-an_mj.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a: the keys that set the schedule,
# verbatim, and its schedule _base_. Copyright (c) OpenMMLab, Apache-2.0.
_base_ = ['../_base_/schedules/schedule_adam_base.py']

optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(max_epochs=20)
# learning policy
param_scheduler = [
    dict(
        type='LinearLR', end=2, start_factor=0.001,
        convert_to_iter_based=True),
    dict(type='MultiStepLR', milestones=[16, 18], end=20),
]
