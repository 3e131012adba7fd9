"""AP Loss, aLRP Loss and Rank & Sort Loss as mmdet-registered loss modules.

The maths (and the error-driven gradients) live in :mod:`corrlib.losses.rank_based`; these modules
only add mmdet's conventions (``loss_weight``, a ``use_sigmoid`` flag that the dense heads read
to size their classifier) and, for aLRP Loss, its self-balancing weight. They take the logits
of *all* anchors × classes of a batch at once, so the heads that use them
(:mod:`corrlib.integration.heads.rank_based_atss`) compute them over the whole batch, not per
level::

    loss_cls=dict(type='RankSortLoss', loss_weight=1.0)     # δ = 0.5
    loss_cls=dict(type='APLoss', loss_weight=1.0)           # δ = 1.0
    loss_cls=dict(type='aLRPLoss', loss_weight=1.0)         # δ = 1.0, SB weight 50 at start
"""

from __future__ import annotations

import torch
from mmdet.registry import MODELS
from torch import Tensor, nn

from corrlib.losses.rank_based import alrp_loss, ap_loss, rank_sort_loss


class _RankingLoss(nn.Module):
    """Common arguments: ``loss_weight``, ``delta`` and ``use_sigmoid`` (must be True)."""

    def __init__(self, delta: float, loss_weight: float = 1.0, use_sigmoid: bool = True) -> None:
        super().__init__()
        if not use_sigmoid:
            raise ValueError(f"{type(self).__name__} ranks sigmoid logits: use_sigmoid=True")
        if delta <= 0:
            raise ValueError(f"{type(self).__name__}: delta must be > 0, got {delta}")
        self.use_sigmoid = True
        self.delta = float(delta)
        self.loss_weight = float(loss_weight)

    def extra_repr(self) -> str:
        return f"delta={self.delta}, loss_weight={self.loss_weight}"


@MODELS.register_module()
class APLoss(_RankingLoss):
    """AP Loss (Chen et al.): ``forward(logits, labels)`` → loss_weight · (1 − AP), 0-d."""

    def __init__(self, delta: float = 1.0, loss_weight: float = 1.0, use_sigmoid: bool = True):
        super().__init__(delta, loss_weight, use_sigmoid)

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:
        """Args: logits and labels (nonzero = positive) of the batch, one shape."""
        return self.loss_weight * ap_loss(logits, labels, self.delta)


@MODELS.register_module()
class RankSortLoss(_RankingLoss):
    """Rank & Sort Loss (Oksuz et al., 2021).

    ``forward(logits, labels, quality)`` → ``(loss_rank, loss_sort)``, each multiplied by
    ``loss_weight`` (0-d tensors; L_RS is their sum). ``quality``: the positives' IoUs in the
    order of ``labels.nonzero()``.
    """

    def __init__(self, delta: float = 0.5, loss_weight: float = 1.0, use_sigmoid: bool = True):
        super().__init__(delta, loss_weight, use_sigmoid)

    def forward(self, logits: Tensor, labels: Tensor, quality: Tensor) -> tuple[Tensor, Tensor]:
        loss_rank, loss_sort = rank_sort_loss(logits, labels, quality, self.delta)
        return self.loss_weight * loss_rank, self.loss_weight * loss_sort


@MODELS.register_module()
class aLRPLoss(_RankingLoss):  # noqa: N801  (the paper's name)
    """aLRP Loss (Oksuz et al., 2020), with its self-balancing (SB) weight.

    ``forward(logits, labels, loc_errors)`` → ``(loss_cls, loss_loc)``: the classification
    component (gradient: the aLRP update, which includes the localisation errors) and the
    localisation component multiplied by the SB weight w_SB (both × ``loss_weight``, 0-d).

    w_SB: the paper sets it, every epoch, to the previous epoch's mean of L_aLRP / L_loc
    (starting at 50). Here the "epoch" is ``sb_interval`` training iterations (iteration-based
    schedules have no epochs; a COCO epoch at 16 images per batch is ≈ 7330 iterations): after
    each ``sb_interval`` calls in training mode, w_SB = Σ (L_cls + L_loc) / Σ L_loc over them.
    ``sb_interval=0`` keeps ``sb_init`` fixed.
    """

    def __init__(
        self,
        delta: float = 1.0,
        loss_weight: float = 1.0,
        use_sigmoid: bool = True,
        sb_init: float = 50.0,
        sb_interval: int = 7330,
    ) -> None:
        super().__init__(delta, loss_weight, use_sigmoid)
        if sb_init <= 0 or sb_interval < 0:
            raise ValueError("aLRPLoss: sb_init must be > 0 and sb_interval >= 0")
        self.sb_interval = int(sb_interval)
        # buffers, so that the weight is saved in checkpoints: [w_SB, Σ total, Σ loc, calls]
        self.register_buffer("sb_state", torch.tensor([float(sb_init), 0.0, 0.0, 0.0]))

    @property
    def sb_weight(self) -> float:
        """The current self-balancing weight of the localisation component."""
        return float(self.sb_state[0])

    def forward(self, logits: Tensor, labels: Tensor, loc_errors: Tensor) -> tuple[Tensor, Tensor]:
        """Args: logits, labels (nonzero = positive) of the batch; ``loc_errors`` ε ∈ [0, 1]
        of the positives in the order of ``labels.nonzero()`` (on the box branch's graph)."""
        loss_cls, loss_loc = alrp_loss(logits, labels, loc_errors, self.delta)
        if self.training and self.sb_interval > 0:
            self._update_sb(float(loss_cls.detach()), float(loss_loc.detach()))
        weight = self.sb_weight
        return self.loss_weight * loss_cls, self.loss_weight * weight * loss_loc

    @torch.no_grad()
    def _update_sb(self, loss_cls: float, loss_loc: float) -> None:
        state = self.sb_state
        state[1] += loss_cls + loss_loc
        state[2] += loss_loc
        state[3] += 1
        if state[3] >= self.sb_interval:
            if state[2] > 0:
                state[0] = state[1] / state[2]
            state[1:] = 0.0

    def extra_repr(self) -> str:
        sb = f"sb_weight={self.sb_weight:g}, sb_interval={self.sb_interval}"
        return f"{super().extra_repr()}, {sb}"


__all__ = ["APLoss", "RankSortLoss", "aLRPLoss"]
