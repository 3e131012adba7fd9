#!/usr/bin/env bash
# The paper-scale checks on a CUDA machine that has PyTorch but nothing of this project.
#
#   scripts/gpu_run.sh WHEELS OUT [STEPS]
#
# WHEELS: a folder with what the machine lacks, carried along (no package index needed):
#   the wheels of mmengine 0.10.7, mmdet 3.3.0, pycocotools, faster-coco-eval 1.8.0, shapely,
#   addict, yapf, platformdirs, termcolor, terminaltables and setuptools < 81 (mmengine imports
#   pkg_resources), and the sources mmcv-2.1.0.tar.gz and torchsort-0.1.10.tar.gz. For a
#   Python 3.12 machine, e.g.: pip download --no-deps --only-binary=:all: --python-version 3.12
#   --platform manylinux_2_28_x86_64 --platform any -d WHEELS <name>==<version>, and the two
#   sources from PyPI's files.
# OUT: where the records and logs go: mmcv's and torchsort's build logs, the loss benchmark
#   (bench_loss_cuda.md: now beside before, ratios to Pearson, syncs per call), the paper-scale
#   interleaved step timing of the six detectors, 100 rounds, with each loss region checked
#   under torch.cuda.set_sync_debug_mode("error") (bench_overhead_cuda.md and its step-timing
#   record paper_cuda.json, whose provenance names the GPU and the loss implementation).
# STEPS: which parts to run, comma-separated (default "build,loss,overhead"; "check" adds the
#   check mode of the paper configs on a COCO-format stand-in: scripts/paper_check.py for the
#   experiments in CHECK, 2 iterations, 8 validation images; paper_check_cuda.md and .json).
#
# mmcv's ops and torchsort's extension are compiled in place for the local GPU
# (TORCH_CUDA_ARCH_LIST from the device unless set; MAX_JOBS defaults to the cores) under
# CORRLIB_GPU_BUILD (default ~/.cache/corrlib-gpu), and reused when the script runs again on
# the same machine: an interrupted build resumes where it stopped. The project itself is used
# from this checkout (PYTHONPATH), not installed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
WHEELS=$(cd "${1:?usage: scripts/gpu_run.sh WHEELS OUT [STEPS]}" && pwd)
OUT=${2:?usage: scripts/gpu_run.sh WHEELS OUT [STEPS]}
STEPS=${3:-build,loss,overhead}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
BUILD=${CORRLIB_GPU_BUILD:-$HOME/.cache/corrlib-gpu}
SITE=$BUILD/site
MMCV=$BUILD/mmcv-2.1.0
TORCHSORT=$BUILD/torchsort-0.1.10
mkdir -p "$BUILD"
log() { printf '[gpu_run %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/gpu_run.log" >&2; }
want() { [[ ",$STEPS," == *",$1,"* ]]; }

# 1. the carried wheels, into a folder of their own (the machine's packages stay as they are)
if [ ! -d "$SITE/mmdet" ]; then
  log "installing the carried wheels"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" "$WHEELS"/*.whl \
    || { log "pip could not install the wheels"; exit 1; }
fi
export PYTHONPATH=$ROOT:$MMCV:$TORCHSORT:$SITE${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1

# 2. mmcv's ops and torchsort's extension, compiled in place for this GPU
if want build; then
  arch=$("$PY" -c "import torch; m, n = torch.cuda.get_device_capability(); print(f'{m}.{n}')")
  export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$arch}
  export MAX_JOBS=${MAX_JOBS:-$(nproc)}
  log "GPU: $("$PY" -c 'import torch; print(torch.cuda.get_device_name(0), torch.__version__)')"
  log "compiling for compute capability $TORCH_CUDA_ARCH_LIST with $MAX_JOBS jobs"
  [ -d "$MMCV" ] || tar xzf "$WHEELS/mmcv-2.1.0.tar.gz" -C "$BUILD"
  [ -d "$TORCHSORT" ] || tar xzf "$WHEELS/torchsort-0.1.10.tar.gz" -C "$BUILD"
  started=$(date +%s)
  (cd "$MMCV" && MMCV_WITH_OPS=1 FORCE_CUDA=1 "$PY" setup.py build_ext --inplace) \
    > "$OUT/mmcv_build.log" 2>&1 &
  mmcv_pid=$!
  (cd "$TORCHSORT" && "$PY" setup.py build_ext --inplace) > "$OUT/torchsort_build.log" 2>&1
  rc=$?
  log "torchsort built in $(($(date +%s) - started)) s (rc=$rc); mmcv still compiling"
fi

# 3. the measurements: the loss alone (needs torchsort only) while mmcv compiles
if want loss; then
  log "loss benchmark on the GPU"
  "$PY" benchmarks/bench_loss.py --device cuda --repeats 20 > "$OUT/bench_loss_cuda.md" \
    2>>"$OUT/gpu_run.log" || log "bench_loss failed"
fi
if want build; then
  wait "$mmcv_pid"
  rc=$?
  log "mmcv built in $(($(date +%s) - started)) s (rc=$rc)"
fi
if "$PY" -c "import mmcv.ops, torchsort, mmdet, corrlib.integration" 2>>"$OUT/gpu_run.log"; then
  log "imports: mmcv.ops, torchsort, mmdet, corrlib.integration"
else
  log "imports failed (see the build logs)"
fi

# 4. the paper configs
if want overhead; then
  log "paper-scale step timing on the GPU (thesis's images per GPU)"
  # 100 interleaved rounds resolve a 1 ms difference on a step of ~0.1 s; --sync-debug runs
  # one more warm step of each loss region under torch.cuda.set_sync_debug_mode("error")
  "$PY" benchmarks/bench_overhead.py --profile paper --device cuda --iters "${ITERS:-100}" \
    --warmup 3 --sync-debug --out "$OUT/paper_cuda.json" > "$OUT/bench_overhead_cuda.md" \
    2>>"$OUT/gpu_run.log" || log "bench_overhead failed"
fi
if want check; then
  log "check mode of the paper configs on the GPU (a COCO-format stand-in)"
  standin=$BUILD/standin
  [ -d "$standin" ] || "$PY" -m reproduction.dataset coco-standin "$standin" \
    --train-images 16 --val-images 8 >>"$OUT/gpu_run.log" 2>&1
  # shellcheck disable=SC2086  # CHECK is a list of experiment ids
  "$PY" scripts/paper_check.py ${CHECK:-retinanet_concordance_0.1 sparsercnn_concordance_0.3 \
    yolact_concordance_0.4} --device cuda --iters 2 --val-images 8 --standin "$standin" \
    --json "$OUT/paper_check_cuda.json" > "$OUT/paper_check_cuda.md" \
    2>>"$OUT/paper_check_cuda.err" || log "paper_check reported a failure"
fi
log "done"
