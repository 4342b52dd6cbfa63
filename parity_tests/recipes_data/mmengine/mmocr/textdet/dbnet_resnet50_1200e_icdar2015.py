# Excerpt of open-mmlab/mmocr configs/textdet/dbnet/dbnet_resnet50_1200e_icdar2015.py @ 966296f26ac34cf0e96d40ab4a0a94c9a697909a: the keys that set the
# schedule, verbatim. Its _base_ chain (dbnet_resnet50-dcnv2_fpnc_1200e_icdar2015.py) takes optim_wrapper and train_cfg
# from ../_base_/schedules/schedule_sgd_1200e.py, linked here directly. Copyright (c) OpenMMLab, Apache-2.0.
_base_ = ['../_base_/schedules/schedule_sgd_1200e.py']

_base_.optim_wrapper.optimizer.lr = 0.002

param_scheduler = [
    dict(type='LinearLR', end=100, start_factor=0.001),
    dict(type='PolyLR', power=0.9, eta_min=1e-7, begin=100, end=1200),
]
