"""Switch off the auxiliary quality branch of ATSS (centerness) and PAA (IoU prediction).

Table 5.1 compares detectors *without* auxiliary heads ("we remove auxiliary heads from ATSS
and PAA for fair comparison"). mmdet's ``ATSSHead`` (and ``PAAHead``, which inherits it) builds
the branch as the conv ``atss_centerness``, trains it (``loss_centerness`` / PAA's
``loss_iou``) and multiplies it into the scores at test time. With ``with_aux_head=False``:

- the conv is replaced by :class:`ConstantMap`, a parameter-free module producing zeros, so the
  head has exactly the learnable parameters of a head without the branch (and distributed
  training sees no unused parameters);
- the auxiliary loss is dropped from the loss dict;
- at test time the scores are the classification probabilities alone (each head says how).

With ``with_aux_head=True`` (the default) the head is mmdet's.
"""

from __future__ import annotations

from torch import Tensor, nn


class ConstantMap(nn.Module):
    """Stands in for a 3×3 conv with ``channels`` outputs: returns zeros of that shape."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels

    def forward(self, x: Tensor) -> Tensor:
        """Zeros of shape (N, channels, H, W) for an input (N, C, H, W)."""
        return x.new_zeros(x.shape[0], self.channels, *x.shape[2:])

    def extra_repr(self) -> str:
        return f"channels={self.channels}"


class AuxHeadSwitchMixin:
    """Adds ``with_aux_head`` to ATSS-style heads (the branch lives in ``atss_centerness``)."""

    def __init__(self, *args, with_aux_head: bool = True, **kwargs) -> None:
        self.with_aux_head = bool(with_aux_head)  # read by _init_layers during super().__init__
        super().__init__(*args, **kwargs)

    def _init_layers(self) -> None:
        """The parent's layers, with the auxiliary conv replaced when the switch is off."""
        super()._init_layers()
        if not self.with_aux_head:
            self.atss_centerness = ConstantMap(self.num_base_priors)

    def _drop_aux_loss(self, losses: dict, key: str) -> dict:
        """Remove the auxiliary loss ``key`` from ``losses`` when the switch is off."""
        if not self.with_aux_head:
            losses.pop(key, None)
        return losses
