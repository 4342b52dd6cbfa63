# Excerpt of open-mmlab/mmdetection3d projects/CENet/configs/cenet-64x512_4xb4_semantickitti.py
# @ fe25f7a51d36e3702f961e198894580d83c4387b: the keys that set the schedule, verbatim (its _base_ is the default
# runtime, which sets none of them). Copyright (c) OpenMMLab, Apache-2.0.
# OneCycleLR over 50 epochs converted to iterations (total_steps counts epochs); eta_max (0.0025) is the peak, not the
# optimizer's lr (0.04), which the one cycle overrides.

# optimizer
# This schedule is mainly used on Semantickitti dataset in segmentation task
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW',
        lr=0.04,
        betas=(0.9, 0.999),
        weight_decay=(0.01),
        eps=0.000005))

param_scheduler = [
    dict(
        type='OneCycleLR',
        total_steps=50,
        by_epoch=True,
        eta_max=0.0025,
        pct_start=0.2,
        div_factor=25.0,
        final_div_factor=100.0,
        convert_to_iter_based=True)
]

# runtime settings
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=1)
val_cfg = dict()
test_cfg = dict()
