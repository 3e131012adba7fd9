"""DETR, ResNet-50, 150 epochs on COCO: mmdet's own (NMS-free; thesis Table 3.2).

mmdet's ``detr_r50_8xb2-150e_coco`` (40.1 AP in mmdet's model zoo, the value Table 3.2 prints)
unchanged: softmax classifier, Hungarian matching, no NMS. Only the class-level analysis
(β_cls, class-level bounds) applies; the thesis does not train DETR with Correlation Loss, so
no head takes ``loss_corr``.
"""

_base_ = "mmdet::detr/detr_r50_8xb2-150e_coco.py"
custom_imports = dict(imports=["corrlib.integration"], allow_failed_imports=False)

corrlib = dict(corr_heads=[], class_heads=["model.bbox_head"], nms_based=False)
