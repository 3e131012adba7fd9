"""Paper profile, YOLACT: the thesis author's YOLACT setting, where the thesis is silent.

- Correlation Loss per image, summed over a GPU's images (mmdet's YOLACT computes its box loss
  image by image with OHEM, which these groups follow), concordance with sample moments;
- 8 images per GPU on the thesis's 4 GPUs (32 per batch), learning rate 4e-3, gradient
  clipping at norm 35 and 1,000 warm-up iterations (mmdet's standard YOLACT: 8 images in
  all, 1e-3, no clipping, 500).
"""

corrlib = dict(
    total_batch_size=32,
    loss_corr_settings=dict(moments="sample", grouping="image_sum"),
)
optim_wrapper = dict(optimizer=dict(lr=4e-3), clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(
        type="MultiStepLR",
        begin=0,
        end=55,
        by_epoch=True,
        milestones=[20, 42, 49, 52],
        gamma=0.1,
    ),
]
