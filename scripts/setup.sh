#!/usr/bin/env bash
# Create or update .venv at the repository root with everything the project needs.
#
# Idempotent: a run with nothing changed since the last successful one (same pyproject.toml,
# same script) checks the stamp, imports the core packages and exits in seconds.
# Order matters: torch first; mmcv (compiled with its ops) and torchsort are built against
# the installed torch without build isolation; then the rest, all pinned in pyproject.toml.
#
# Environment:
#   CORRLIB_ENV     environment to install into (default: .venv at the repository root); an
#                   existing prefix such as "$CONDA_PREFIX" is used as it is
#   PYTHON          interpreter for a new venv (default: python3.11, else python3)
#   CORRLIB_BROWSER 1 = also install Debian's chromium for the book's browser test (needs apt)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${CORRLIB_ENV:-$ROOT/.venv}
log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
stamp_now=$(cat pyproject.toml scripts/setup.sh scripts/pins.py | sha256sum | cut -c1-16)
stamp_file=$VENV/.corrlib-setup

want_browser() { [ "${CORRLIB_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; }

if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp_now" ] \
   && "$VENV/bin/python" -c "import corrlib, reproduction, mmcv.ops, mmdet, torchsort" 2>/dev/null \
   && ! want_browser; then
  log "environment up to date ($VENV)"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PY=$VENV/bin/python
pins() { "$PY" scripts/pins.py "$@"; }
# Every install is constrained by the same pins, so an indirect requirement cannot pull
# another version of a pinned package (torch stays out: it keeps whatever build is there).
CONSTRAINTS=$VENV/corrlib-constraints.txt
"$PY" scripts/pins.py --all | grep -v '^torch' > "$CONSTRAINTS"
PIP=("$PY" -m pip install --disable-pip-version-check -c "$CONSTRAINTS")

# 1. torch: keep an existing build (a CUDA user's), else the pinned CPU build.
if "$PY" -c "import torch" 2>/dev/null; then
  log "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  log "installing $(pins torch)"
  "${PIP[@]}" "$(pins torch)"
fi

# 2. build requirements of the compiled packages, and mmengine.
"${PIP[@]}" -q $(pins setuptools numpy) $(pins --group build) $(pins mmengine)

# 3. mmcv with its C++ ops (about 10 minutes the first time; pip caches the wheel).
if ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
  log "building $(pins mmcv) with ops (about 10 min on 2 cores the first time)"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "${PIP[@]}" --no-build-isolation "$(pins mmcv)"
fi

# 4. torchsort: with a CPU-only torch, hide any nvcc so its setup builds the CPU extension.
if ! "$PY" -c "import torchsort" 2>/dev/null; then
  cuda=$("$PY" -c "import torch; print(torch.version.cuda or '')")
  build_path=$PATH
  if [ -z "$cuda" ]; then
    build_path=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
      [ -n "$d" ] && [ ! -x "$d/nvcc" ] && printf '%s:' "$d"; done)
    build_path=${build_path%:}
  fi
  log "building $(pins torchsort) (torch CUDA: ${cuda:-none})"
  if [ -z "$cuda" ]; then
    env -u CUDA_HOME PATH="$build_path" "${PIP[@]}" --no-build-isolation "$(pins torchsort)"
  else
    "${PIP[@]}" --no-build-isolation "$(pins torchsort)"
  fi
fi

# 5. everything else, and corrlib itself (editable).
log "installing corrlib and the remaining pinned packages"
"${PIP[@]}" -q --no-build-isolation -e ".[mmdet,companion,dev]"

# 6. a Jupyter kernel inside the venv, so papermill and JupyterLab run notebooks in it.
"$PY" -m ipykernel install --sys-prefix --name corrlib --display-name "Python (corrlib)" >/dev/null

# 7. optional: Debian's chromium for the book's headless-browser test.
if want_browser; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "chromium missing and apt-get unavailable as root: the browser test will be skipped"
  fi
fi

"$PY" -m pip check
"$PY" -c "import corrlib, reproduction, mmcv.ops, mmdet, torchsort"
echo "$stamp_now" > "$stamp_file"
log "environment ready: $VENV"
