"""ATSS with aLRP Loss, no centerness head, ResNet-50-FPN, 1x on COCO (Tables 3.1 and 3.2).

aLRP Loss (δ = 1) replaces both the classification and the box loss: ε = (1 − GIoU)/2, the
localisation component weighted by the self-balancing weight (starts at 50, re-estimated every
7330 iterations, one COCO epoch at 16 images) — :mod:`corrlib.integration.rank_based_losses`.
Learning rate as for RS Loss (0.008 for 16 images).
"""

_base_ = "./atss.py"

model = dict(
    bbox_head=dict(
        type="CorrRankingATSSHead",
        loss_cls=dict(
            _delete_=True,
            type="aLRPLoss",
            use_sigmoid=True,
            delta=1.0,
            loss_weight=1.0,
            sb_init=50.0,
            sb_interval=7330,
        ),
    )
)

optim_wrapper = dict(optimizer=dict(lr=0.008))
