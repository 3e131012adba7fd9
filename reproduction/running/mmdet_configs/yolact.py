"""YOLACT, ResNet-50-FPN, in its standard setting (mmdet's 55-epoch config, 550×550 inputs)
on COCO, with corrlib's box head (thesis Table 5.3, Table 5.7).

Correlation Loss acts on the box head's positive anchors (softmax probability of the
ground-truth class vs. IoU of the decoded box); the mask branch is mmdet's. Evaluated with box
and mask AP (Table 5.3 reports mask AP).

YOLACT is NMS-based (Fast NMS): ``CorrYOLACTHead`` emits test-time pre-NMS positives and
re-orders their scores like corrlib's other NMS-based heads (its candidates are defined in
:mod:`corrlib.integration.heads.yolact`).
"""

_base_ = "mmdet::yolact/yolact_r50_1xb8-55e_coco.py"
custom_imports = dict(imports=["corrlib.integration"], allow_failed_imports=False)

# Where corrlib's builder puts an experiment's ``loss_corr`` and the dataset's class count
# (dotted paths), and whether test-time pre-NMS positives are available.
# ``total_batch_size``: YOLACT's standard setting trains with 8 images per batch (with the
# learning rate of mmdet's config), not the 16 of the thesis's other detectors.
# ``demo_schedule_scale``: its standard schedule is 55 epochs, against the 12 of the 1x
# detectors; the demo profile keeps that ratio (smoke and paper ignore it).
corrlib = dict(
    corr_heads=["model.bbox_head"],
    class_heads=["model.bbox_head", "model.mask_head"],
    nms_based=True,
    total_batch_size=8,
    demo_schedule_scale=55 / 12,
)

model = dict(bbox_head=dict(type="CorrYOLACTHead", loss_corr=None))
