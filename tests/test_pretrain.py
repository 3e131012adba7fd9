"""The synthetic pretraining: its crops, schedule, files, and a detector that starts from it."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from reproduction.dataset import generate
from reproduction.dataset.shapes import MAX_CLASSES
from reproduction.running import pretrain
from reproduction.spec import paths
from reproduction.spec.paths import pretrained_backbone, pretrained_record
from reproduction.spec.profiles import PRETRAINED_PROFILE, get_profile
from reproduction.spec.run import Run

TINY = replace(pretrain.PRETRAININGS["shapes-crops"], batch_size=4, held_out=8, iterations=3)


def test_crop_streams_are_not_the_detection_datasets():
    """No crop is cut from an image the detectors train or are evaluated on."""
    assert set(pretrain.CROP_STREAMS.values()).isdisjoint(generate._SPLIT_STREAMS.values())
    assert len(set(pretrain.CROP_STREAMS.values())) == len(pretrain.CROP_STREAMS)


def test_crop_box_grows_the_object_box_and_clips():
    mask = np.zeros((20, 30), dtype=bool)
    mask[5:9, 10:20] = True  # 10 wide, 4 high
    assert pretrain.crop_box(mask, 0.0) == (10, 5, 20, 9)
    assert pretrain.crop_box(mask, 0.5) == (5, 3, 25, 11)
    mask[:, :] = False
    mask[0:2, 28:30] = True
    assert pretrain.crop_box(mask, 1.0) == (26, 0, 30, 4)
    with pytest.raises(ValueError, match="empty"):
        pretrain.crop_box(np.zeros((4, 4), dtype=bool), 0.1)
    with pytest.raises(ValueError, match="context"):
        pretrain.crop_box(mask, -0.1)


def test_object_crops_are_labelled_deterministic_and_continue():
    images, labels, next_scene = pretrain.object_crops(TINY, "train", 0, 12)
    assert images.shape == (12, TINY.crop_size, TINY.crop_size, 3) and images.dtype == np.uint8
    assert labels.min() >= 0 and labels.max() < MAX_CLASSES
    assert next_scene >= 2  # a scene holds at most a handful of objects
    again, labels_again, _ = pretrain.object_crops(TINY, "train", 0, 12)
    assert np.array_equal(images, again) and np.array_equal(labels, labels_again)
    held_out, _, _ = pretrain.object_crops(TINY, "held_out", 0, 12)
    assert not np.array_equal(images, held_out)
    later, _, _ = pretrain.object_crops(TINY, "train", next_scene, 1)
    assert not any(np.array_equal(later[0], image) for image in images)


def test_learning_rate_warms_up_then_decays_to_zero():
    recipe = pretrain.PRETRAININGS["shapes-crops"]
    rates = [pretrain.learning_rate(recipe, s) for s in range(recipe.iterations + 1)]
    assert rates[0] == pytest.approx(recipe.lr * 0.001)
    assert max(rates) == pytest.approx(recipe.lr)
    assert np.argmax(rates) == recipe.warmup
    decay = rates[recipe.warmup :]
    assert all(a >= b for a, b in zip(decay[:-1], decay[1:], strict=True))
    assert rates[-1] == pytest.approx(0.0, abs=1e-12)


def test_unknown_recipe_names_the_known_ones():
    with pytest.raises(ValueError, match="shapes-crops"):
        pretrain.get_pretraining("imagenet")


def test_pretrained_profile_builds_from_the_written_backbone(tmp_path, monkeypatch):
    """A few steps write weights and a record; the pretrained profile's detectors load them
    into their backbone, and refuse to build without them."""
    import torch

    from reproduction.running import config_builder

    state, record = pretrain.pretrain(TINY)
    assert record["iterations"] == 3 and 0.0 <= record["held_out_accuracy"] <= 1.0
    written = pretrain.write_pretrained(tmp_path / "results", TINY.name, state, record)
    weights = pretrained_backbone(tmp_path / "results", TINY.name)
    on_disk = json.loads(pretrained_record(tmp_path / "results", TINY.name).read_text())
    assert on_disk["backbone_sha256"] == written["backbone_sha256"] == pretrain.sha256_of(weights)
    assert on_disk["recipe"]["batch_size"] == 4 and "git" in on_disk["provenance"]
    assert not list(weights.parent.glob("*.tmp"))

    assert get_profile(PRETRAINED_PROFILE).pretrained == TINY.name
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match="reproduction.running.pretrain"):
        config_builder.build_config(Run.resolve("atss_baseline", PRETRAINED_PROFILE, validate=True))
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))  # its results/ holds the weights
    cfg = config_builder.build_config(
        Run.resolve("atss_baseline", PRETRAINED_PROFILE, validate=True)
    )
    assert cfg.model.backbone.init_cfg == {"type": "Pretrained", "checkpoint": str(weights)}
    plain = config_builder.build_config(Run.resolve("atss_baseline", "demo", validate=True))
    assert plain.model.backbone.init_cfg is None
    assert {k: v for k, v in cfg.model.items() if k != "backbone"} == {
        k: v for k, v in plain.model.items() if k != "backbone"
    }

    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    model = MODELS.build(cfg.model)
    model.init_weights()
    loaded = model.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in state.items())
