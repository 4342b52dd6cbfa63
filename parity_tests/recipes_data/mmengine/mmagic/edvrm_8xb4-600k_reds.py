# Excerpt of open-mmlab/mmagic configs/edvr/edvrm_8xb4-600k_reds.py @ 1a8c281a930135221e4bcbe359951683ef1a827e: the keys
# that set the schedule, verbatim, and its _base_ (excerpt). Copyright (c) OpenMMLab, Apache-2.0.
_base_ = '_base_/models/base_edvr.py'

# learning policy
param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[50000, 100000, 150000, 150000, 150000],
    restart_weights=[1, 1, 1, 1, 1],
    eta_min=1e-7)
