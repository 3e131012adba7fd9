"""mmdetection integration: importing this package registers corrlib's extensions.

Use from any mmdet config with::

    custom_imports = dict(imports=['corrlib.integration'], allow_failed_imports=False)

This is the only part of corrlib that imports mmdet / mmengine; nothing else imports it.

- :mod:`~corrlib.integration.loss`: ``CorrelationLoss`` (registered in mmdet's MODELS);
- :mod:`~corrlib.integration.ranking_losses`: ``APLoss``, ``aLRPLoss``, ``RankSortLoss``;
- :mod:`~corrlib.integration.heads`: RetinaNet / FoveaBox / ATSS / PAA heads with ``loss_corr``
  and test-time pre-NMS positives;
- :func:`build_config`: experiment + profile → mmengine config
  (:mod:`~corrlib.integration.configs`); training: ``python -m corrlib.integration.train``.
"""

from corrlib.integration import (
    evaluators,  # noqa: F401  (registers the Corr/LRP metrics)
    heads,  # noqa: F401  (registers the Corr* heads)
    loss,  # noqa: F401  (registers CorrelationLoss)
    ranking_losses,  # noqa: F401  (registers APLoss, aLRPLoss, RankSortLoss)
)
from corrlib.integration.configs import build_config, enable_pre_nms_positives

__all__ = ["build_config", "enable_pre_nms_positives"]
