#!/usr/bin/env bash
# A background campaign: paired seeds of some experiments of one profile, one seed at a time,
# each seed's results files copied to archive/ and committed as soon as that seed finishes, so
# that a campaign stopped at any point loses at most the seed it was training. Resumable: the
# workflow skips results files that exist, and archiving a seed twice changes nothing.
#
#   scripts/campaign.sh PROFILE FIRST_SEED LAST_SEED EXPERIMENT[,EXPERIMENT...]
#   e.g. nohup nice -n 10 scripts/campaign.sh demo 0 2 yolact_baseline,yolact_concordance_0.4 &
#
# CORES (default: all) is passed to the workflow; COMMIT=0 archives without committing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -ne 4 ]; then
  sed -n '2,/^set -e/{/^#/p}' "$0" >&2
  exit 2
fi
profile=$1 first=$2 last=$3 experiments=$4
PY=${CORRLIB_ENV:-.venv}/bin/python
SNAKEMAKE=${CORRLIB_ENV:-.venv}/bin/snakemake
IFS=, read -r -a ids <<<"$experiments"

commit_archive() {  # commit archive/<profile>, waiting out another git command's index lock
  local message=$1 tries=0
  git add "archive/$profile"
  until git commit -q -m "$message" -- "archive/$profile"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ]; then
      echo "campaign: could not commit archive/$profile" >&2
      return 1
    fi
    sleep 5
  done
}

for seed in $(seq "$first" "$last"); do
  targets=()
  for id in "${ids[@]}"; do targets+=("results/$profile/$id/seed$seed.json"); done
  "$SNAKEMAKE" --cores "${CORES:-$(nproc)}" --rerun-incomplete --config profile="$profile" \
    -- "${targets[@]}"
  "$PY" -m reproduction.records.archive "$profile" --experiments "$experiments"
  if [ "${COMMIT:-1}" = 1 ] && [ -n "$(git status --porcelain -- "archive/$profile")" ]; then
    commit_archive "Archive: $profile seed $seed of $experiments"
  fi
done
