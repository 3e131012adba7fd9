"""mmdet dense heads with Correlation Loss and pre-NMS positives (registered on import).

- :class:`CorrRetinaHead`, :class:`CorrFoveaHead`: RetinaNet and FoveaBox heads;
- :class:`CorrATSSHead`, :class:`CorrPAAHead`: ATSS and PAA heads, with ``with_aux_head`` to
  drop the centerness / IoU branch (Table 5.1 uses them without);
- :class:`CorrDIIHead`: a stage of Sparse R-CNN (NMS-free; ``loss_corr`` on every stage);
- :class:`CorrYOLACTHead`: YOLACT's box head (``loss_corr`` on its box positives);
- :class:`CorrQFLATSSHead`, :class:`CorrRankingATSSHead`: ATSS trained with Quality Focal Loss,
  or with AP / aLRP / Rank & Sort Loss (comparison methods of Tables 3.1, 3.2, 5.4).

Every head takes ``loss_corr=dict(type='CorrelationLoss', kind=..., loss_weight=λ,
gradient='classifier')`` (None: the parent head's losses exactly) and, at test time, the
``test_cfg`` switches of :mod:`corrlib.integration.heads.pre_nms`.
"""

from corrlib.integration.heads.atss import CorrATSSHead
from corrlib.integration.heads.aux_switch import AuxHeadSwitchMixin, ConstantMap
from corrlib.integration.heads.corr_mixin import (
    CorrelationLossMixin,
    level_rows,
    positive_scores_and_ious,
)
from corrlib.integration.heads.fovea import CorrFoveaHead
from corrlib.integration.heads.paa import CorrPAAHead
from corrlib.integration.heads.pre_nms import (
    PERMUTATIONS,
    PreNMSPositivesMixin,
    match_positives,
    permute_positive_scores,
)
from corrlib.integration.heads.qfl import CorrQFLATSSHead
from corrlib.integration.heads.rank_based_atss import CorrRankingATSSHead
from corrlib.integration.heads.retina import CorrRetinaHead
from corrlib.integration.heads.sparse_rcnn import CorrDIIHead
from corrlib.integration.heads.yolact import CorrYOLACTHead

__all__ = [
    "PERMUTATIONS",
    "AuxHeadSwitchMixin",
    "ConstantMap",
    "CorrATSSHead",
    "CorrDIIHead",
    "CorrFoveaHead",
    "CorrPAAHead",
    "CorrQFLATSSHead",
    "CorrRankingATSSHead",
    "CorrRetinaHead",
    "CorrYOLACTHead",
    "CorrelationLossMixin",
    "PreNMSPositivesMixin",
    "level_rows",
    "match_positives",
    "permute_positive_scores",
    "positive_scores_and_ious",
]
