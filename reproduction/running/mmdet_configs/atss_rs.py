"""ATSS with Rank & Sort Loss, no centerness head, ResNet-50-FPN, 1x on COCO (Tables 3.1-5.4).

RS Loss (δ = 0.5) on all anchor × class logits of the batch, IoU targets for the sorting part;
score-weighted GIoU loss, self-balanced to the RS Loss's value each iteration
(:mod:`corrlib.integration.heads.rank_based_atss`). The learning rate is the RS-Loss authors'
ATSS one
(0.008 for 16 images). Unlike their config (3 anchor scales per location), the anchors are
mmdet's ATSS ones, the common baseline of every ATSS row here.
"""

_base_ = "./atss.py"

model = dict(
    bbox_head=dict(
        type="CorrRankingATSSHead",
        loss_cls=dict(
            _delete_=True, type="RankSortLoss", use_sigmoid=True, delta=0.5, loss_weight=1.0
        ),
        loss_bbox=dict(type="GIoULoss", loss_weight=1.0),
    )
)

optim_wrapper = dict(optimizer=dict(lr=0.008))
