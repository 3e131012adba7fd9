"""A stopped run resumes: demo schedules checkpoint every few hundred iterations.

A campaign's long runs (the 3x Sparse R-CNN, YOLACT, learning curves) can be stopped mid-way —
a killed job, a session that ends. Training the same experiment again in the same work dir
resumes from the latest checkpoint instead of starting over.
"""

from __future__ import annotations

import json

import pytest

from reproduction.spec.run import Run


@pytest.mark.parametrize(
    ("experiment", "max_iters"),
    [("atss_baseline", 600), ("sparsercnn_3x_baseline", 1800), ("yolact_baseline", None)],
)
def test_demo_runs_checkpoint_at_the_overlay_interval_and_at_the_end(
    tmp_path, experiment, max_iters
):
    from reproduction.running.config_builder import build_config

    cfg = build_config(Run.resolve(experiment, "demo", data_root=tmp_path, validate=True))
    hook = cfg.default_hooks.checkpoint
    if max_iters is not None:
        assert cfg.train_cfg.max_iters == max_iters
    assert cfg.train_cfg.max_iters > hook.interval == 300
    assert hook.save_last and hook.max_keep_ckpts == 1 and hook.by_epoch is False


def test_a_schedule_shorter_than_the_interval_checkpoints_only_at_its_end(tmp_path):
    from reproduction.running.config_builder import build_config

    short = build_config(
        Run.resolve("atss_baseline", "demo", data_root=tmp_path, max_iters=120, validate=True)
    )
    assert short.default_hooks.checkpoint.interval == 120
    smoke = build_config(Run.resolve("atss_baseline", "smoke", data_root=tmp_path, validate=True))
    assert smoke.default_hooks.checkpoint.interval == smoke.train_cfg.max_iters


@pytest.mark.slow
def test_training_again_in_a_stopped_runs_work_dir_resumes_from_its_checkpoint(
    tmp_path, smoke_data_root
):
    from reproduction.running.train import SUMMARY_NAME, train_experiment

    work = tmp_path / "work"
    first = train_experiment(
        Run.resolve("atss_baseline", "smoke", work_dir=work, data_root=smoke_data_root, max_iters=2)
    )
    assert first["resumed"] is False and first["iterations"] == 2
    # a run stopped after its checkpoint at iteration 2: no summary yet
    (work / SUMMARY_NAME).unlink()
    second = train_experiment(
        Run.resolve("atss_baseline", "smoke", work_dir=work, data_root=smoke_data_root, max_iters=4)
    )
    assert second["resumed"] is True
    assert second["iterations"] == 4 and second["checkpoint"] == "iter_4.pth"
    assert sorted(p.name for p in work.glob("iter_*.pth")) == ["iter_4.pth"]
    # the second run trained iterations 3 and 4 only: its log starts after the checkpoint
    logs = sorted(work.glob("*/vis_data/scalars.json"))
    assert len(logs) == 2
    steps = [json.loads(line)["step"] for line in logs[1].read_text().splitlines()]
    assert steps and min(steps) == 3 and max(steps) == 4
    assert json.loads((work / SUMMARY_NAME).read_text())["resumed"] is True


def test_seconds_per_iter_reads_only_the_logs_written_since(tmp_path) -> None:
    import os
    import time

    from reproduction.running.train import seconds_per_iter

    def log(name: str, seconds: float, mtime: float | None = None) -> None:
        path = tmp_path / name / "vis_data" / "scalars.json"
        path.parent.mkdir(parents=True)
        entries = [{"loss": 1.0, "time": 60.0}] + [{"loss": 1.0, "time": seconds}] * 3
        path.write_text("\n".join(json.dumps(e) for e in entries))
        if mtime is not None:
            os.utime(path, (mtime, mtime))

    now = time.time()
    log("20260101_000000", 9.0, mtime=now - 3600)  # a run killed before its first checkpoint
    log("20260101_010000", 1.0)
    assert seconds_per_iter(tmp_path) == 9.0  # both logs: the stale one's entries count
    assert seconds_per_iter(tmp_path, since=now - 60) == 1.0  # this run's own log only
    assert seconds_per_iter(tmp_path, since=now + 3600) is None
