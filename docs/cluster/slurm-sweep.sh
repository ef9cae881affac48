#!/usr/bin/env bash
# A sweep as a Slurm job array: task i runs shard i/N, and a job that depends on the whole array merges.
#
#   dotnet publish host -c Release -o "$EMU"        # once, onto the shared file system
#   EMU=/shared/emu OUT=/shared/sweeps/s1 sbatch --array=0-7 docs/cluster/slurm-sweep.sh
#
#SBATCH --job-name=emu-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=emu-sweep-%A_%a.out
set -euo pipefail
: "${EMU:?set EMU to the folder emu was published to}"
: "${OUT:?set OUT to a folder on the shared file system}"
SCENARIO="${SCENARIO:-$EMU/appsettings.json}"

dotnet "$EMU/emu.dll" sweep --config "$SCENARIO" \
  --vary Svm:AvicDoorbellStrict=true,false --vary HostTasks:PerCpu=0,1,2 --replications 5 \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" \
  --out "$OUT/shard-${SLURM_ARRAY_TASK_ID}"

# The last task to finish is not known in advance, so the merge runs as its own job once the array is done:
#   sbatch --dependency=afterok:<array job id> --wrap "dotnet $EMU/emu.dll merge $OUT/shard-* --out $OUT/merged"
