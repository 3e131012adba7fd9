"""The evaluation's permuted passes share one forward pass of the network.

``predict_passes`` computes each validation image's features and box-head outputs once, and
post-processes them once per score permutation (the scores as given, the image-level upper and
lower bounds). What it returns must be exactly what a separate inference pass per permutation
returns, for the dense heads and for YOLACT, whose masks follow its boxes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from smoke_models import build_model, smoke_cfg

from reproduction.running.evaluate import predict, predict_passes

PERMUTATIONS = (None, "upper", "lower")


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Small models on one intra-op thread (OpenMP spin-waiting slows a shared 2-core box)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _counting_backbone(model: torch.nn.Module) -> list[int]:
    """Count the backbone's forward calls in the returned one-element list."""
    calls = [0]

    def count(*_):
        calls[0] += 1

    model.backbone.register_forward_hook(count)
    return calls


@pytest.mark.parametrize(
    ("experiment", "masks"),
    [("retinanet_baseline", False), ("atss_baseline", False), ("yolact_baseline", True)],
)
def test_shared_pass_equals_one_pass_per_permutation(experiment, masks, smoke_data_root):
    cfg = smoke_cfg(experiment, smoke_data_root)
    cfg.model.test_cfg.score_thr = 0.0  # random weights: keep every candidate
    model = build_model(cfg.model)
    calls = _counting_backbone(model)

    shared = predict_passes(cfg, model, PERMUTATIONS, emit_positives=True, masks=masks)
    batches = calls[0]
    assert batches > 0
    for permutation in PERMUTATIONS:
        dets, positives = predict(
            cfg, model, emit_positives=True, score_permutation=permutation, masks=masks
        )
        shared_dets, shared_positives = shared[permutation]
        assert shared_dets == dets, permutation
        assert shared_positives.keys() == positives.keys() and positives, permutation
        for image, (scores, ious) in positives.items():
            np.testing.assert_array_equal(shared_positives[image][0], scores)
            np.testing.assert_array_equal(shared_positives[image][1], ious)
    # one backbone pass per batch for all three permutations, against one per permutation
    assert calls[0] == batches + len(PERMUTATIONS) * batches
    # the dense heads' bounds passes re-scored something (YOLACT's random-weight positives
    # are too few to move its detections); only the unpermuted pass keeps masks
    if not masks:
        assert shared["upper"][0] != shared["lower"][0]
    assert all(("segmentation" in d) == masks for d in shared[None][0])
    assert not any("segmentation" in d for d in shared["upper"][0])
    # the model is left as it was: its own methods, not the block's stand-ins
    assert "extract_feat" not in vars(model) and "forward" not in vars(model.bbox_head)


def test_a_detector_without_dense_head_gets_one_pass_only(smoke_data_root):
    cfg = smoke_cfg("sparsercnn_baseline", smoke_data_root)
    model = build_model(cfg.model)
    with pytest.raises(ValueError, match="no dense box head"):
        predict_passes(cfg, model, PERMUTATIONS, emit_positives=False)
    (dets, positives) = predict_passes(cfg, model, (None,), emit_positives=False)[None]
    assert dets and positives == {}
