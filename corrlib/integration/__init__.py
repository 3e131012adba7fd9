"""mmdetection integration: importing this package registers corrlib's extensions.

Use from any mmdet config with::

    custom_imports = dict(imports=['corrlib.integration'], allow_failed_imports=False)

This is the only part of corrlib that imports mmdet / mmengine; nothing else in corrlib
imports it, and it imports nothing but mmdet, mmengine, torch and corrlib's own
:mod:`corrlib.losses` and :mod:`corrlib.metrics`.

- :mod:`~corrlib.integration.loss`: ``CorrelationLoss`` (registered in mmdet's MODELS);
- :mod:`~corrlib.integration.rank_based_losses`: ``APLoss``, ``aLRPLoss``, ``RankSortLoss``;
- :mod:`~corrlib.integration.heads`: RetinaNet / FoveaBox / ATSS / PAA / Sparse R-CNN (DII) /
  YOLACT heads with ``loss_corr`` and test-time pre-NMS positives;
- :mod:`~corrlib.integration.evaluators`: ``CorrelationMetric`` and ``LRPMetric`` (METRICS);
- :mod:`~corrlib.integration.checkpoints`: mmengine checkpoints load with torch's safe
  ``weights_only`` loader (allow-listed on import).
"""

from corrlib.integration import (
    checkpoints,
    evaluators,  # noqa: F401  (registers the Corr/LRP metrics)
    heads,  # noqa: F401  (registers the Corr* heads)
    loss,  # noqa: F401  (registers CorrelationLoss)
    rank_based_losses,  # noqa: F401  (registers APLoss, aLRPLoss, RankSortLoss)
)

checkpoints.allow_mmengine_checkpoints()
