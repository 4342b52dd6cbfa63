# Excerpt of open-mmlab/mmpose configs/body_3d_keypoint/motionbert/h36m/motionbert_dstformer-243frm_8xb32-240e_h36m.py
# @ 759b39c13fea6ba094afc1fa932f51dc1b11cbf9: the keys that set the schedule, verbatim; its _base_ (stored as an
# excerpt at the same relative path) gives train_cfg its by_epoch=True. Copyright (c) OpenMMLab, Apache-2.0.
# ExponentialLR over the first 120 of 240 epochs: the lr stays at 0.0002 * 0.99**120 for the last 120.
_base_ = ['../../../_base_/default_runtime.py']

# runtime
train_cfg = dict(max_epochs=240, val_interval=10)

# optimizer
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=0.0002, weight_decay=0.01))

# learning policy
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, end=120, by_epoch=True)
]

auto_scale_lr = dict(base_batch_size=512)
