"""ATSS with AP Loss, no centerness head, ResNet-50-FPN, 1x on COCO (Tables 3.1 and 3.2).

AP Loss (Chen et al., δ = 1, no interpolation of precision) on all anchor × class logits of
the batch; score-weighted GIoU loss self-balanced to the AP Loss's value — our choice: the same
treatment as RS Loss (:mod:`corrlib.integration.heads.rank_based_atss`), so that the two
differ only in the ranking loss; learning rate as for RS Loss (0.008 for 16 images).
"""

_base_ = "./atss.py"

model = dict(
    bbox_head=dict(
        type="CorrRankingATSSHead",
        loss_cls=dict(_delete_=True, type="APLoss", use_sigmoid=True, delta=1.0, loss_weight=1.0),
        loss_bbox=dict(type="GIoULoss", loss_weight=1.0),
    )
)

optim_wrapper = dict(optimizer=dict(lr=0.008))
