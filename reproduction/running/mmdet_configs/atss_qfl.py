"""ATSS with Quality Focal Loss, no centerness head, ResNet-50-FPN, 1x on COCO (Tables 3.1-5.4).

ATSS's head with only its classification loss swapped for mmdet's ``QualityFocalLoss`` (IoU
targets) and the GIoU loss weighted by the predicted score (see
:mod:`corrlib.integration.heads.qfl` for why this, not mmdet's full GFL head). Optimiser and
schedule: mmdet's ATSS 1x (SGD, lr 0.01 for 16 images), as in the RS-Loss authors' QFL config.
"""

_base_ = "./atss.py"

model = dict(
    bbox_head=dict(
        type="CorrQFLATSSHead",
        bbox_weighting="score",
        loss_cls=dict(
            _delete_=True, type="QualityFocalLoss", use_sigmoid=True, beta=2.0, loss_weight=1.0
        ),
        loss_bbox=dict(type="GIoULoss", loss_weight=2.0),
    )
)
