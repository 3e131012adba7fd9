"""RetinaNet, ResNet-50-FPN, 1x on COCO (thesis Table 5.1) with corrlib's head."""

_base_ = "mmdet::retinanet/retinanet_r50_fpn_1x_coco.py"
custom_imports = dict(imports=["corrlib.integration"], allow_failed_imports=False)

# Where corrlib's builder puts an experiment's ``loss_corr`` and the dataset's class count
# (dotted paths; a path naming a list applies to each item), and whether test-time pre-NMS
# positives are available (an NMS-based head with corrlib's PreNMSPositivesMixin).
corrlib = dict(corr_heads=["model.bbox_head"], class_heads=["model.bbox_head"], nms_based=True)

model = dict(bbox_head=dict(type="CorrRetinaHead", loss_corr=None))
