"""Sparse R-CNN, ResNet-50-FPN, 100 proposals, 1x on COCO (thesis Table 5.1) with corrlib's head.

NMS-free and multi-stage: each of the six stages is a ``CorrDIIHead``, and the builder puts the
experiment's ``loss_corr`` on every one of them (thesis §4.2: "we incorporate L_corr to every
stage"). The log then shows ``s0.loss_corr`` ... ``s5.loss_corr``.
"""

_base_ = "mmdet::sparse_rcnn/sparse-rcnn_r50_fpn_1x_coco.py"
custom_imports = dict(imports=["corrlib.integration"], allow_failed_imports=False)

# Where corrlib's builder puts an experiment's ``loss_corr`` and the dataset's class count
# (dotted paths; a path naming a list applies to each item), and whether test-time pre-NMS
# positives are available (an NMS-based head with corrlib's PreNMSPositivesMixin).
corrlib = dict(
    corr_heads=["model.roi_head.bbox_head"],
    class_heads=["model.roi_head.bbox_head"],
    nms_based=False,
)

# mmdet's six stage heads, each with corrlib's type (lists are replaced when merged, so the
# stages are rebuilt from the inherited ones rather than restated).
model = dict(
    roi_head=dict(
        bbox_head=[
            dict(stage, type="CorrDIIHead", loss_corr=None)
            for stage in _base_.model.roi_head.bbox_head
        ]
    )
)
