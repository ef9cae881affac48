#!/usr/bin/env bash
# Submits the array, then the merge that depends on all of it. Re-run one failed shard alone with
#   SWEEP_DIR=<this folder> sbatch --array=<i> --export=ALL <this folder>/sweep.sbatch
# and the merge with: SWEEP_DIR=<this folder> sbatch --export=ALL <this folder>/merge.sbatch
set -euo pipefail
SWEEP_DIR="$(cd "$(dirname "$0")" && pwd)"
export SWEEP_DIR
mkdir -p "$SWEEP_DIR/logs"
cd "$SWEEP_DIR/logs"
array="$(sbatch --parsable --export=ALL "$SWEEP_DIR/sweep.sbatch")"
array="${array%%;*}"
merge="$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$SWEEP_DIR/merge.sbatch")"
merge="${merge%%;*}"
echo "array job $array, merge job $merge; results in $SWEEP_DIR/merged, logs in $SWEEP_DIR/logs"
echo "$array $merge" > "$SWEEP_DIR/logs/jobs"
