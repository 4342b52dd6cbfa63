# Excerpt of open-mmlab/mmpose configs/_base_/default_runtime.py @ 759b39c13fea6ba094afc1fa932f51dc1b11cbf9: the keys
# that shape the schedule, verbatim (hooks, visualizer, logging left out). Copyright (c) OpenMMLab, Apache-2.0.

# training/validation/testing progress
train_cfg = dict(by_epoch=True)
val_cfg = dict()
test_cfg = dict()
