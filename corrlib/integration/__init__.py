"""mmdetection integration: importing this package registers corrlib's extensions.

Use from any mmdet config with::

    custom_imports = dict(imports=['corrlib.integration'], allow_failed_imports=False)

This is the only part of corrlib that imports mmdet / mmengine; nothing else imports it.
"""

from corrlib.integration import loss  # noqa: F401  (registers CorrelationLoss)
