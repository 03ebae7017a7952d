#!/bin/bash
# hivescan as a Slurm job array: one task per shard of the hosts under
# EVIDENCE, each writing its part to OUT. Submit, then merge when all tasks
# are done:
#
#   sbatch --export=ALL,EVIDENCE=/cases/42,OUT=/scratch/42 deploy/slurm/array.sh
#   hivescan merge -o case42.json /scratch/42/part-*.json
#
# --shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, so the
# split follows --array; change the array size in one place only.
#SBATCH --job-name=hivescan
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --output=hivescan-%A_%a.log
set -euo pipefail

: "${EVIDENCE:?set EVIDENCE to the evidence folder}"
: "${OUT:?set OUT to the folder for the parts}"
HIVESCAN=${HIVESCAN:-hivescan}

mkdir -p "$OUT"
exec "$HIVESCAN" scan \
	--shard auto \
	--jobs "${SLURM_CPUS_PER_TASK:-1}" \
	--quiet \
	--format json \
	--output "$OUT/part-${SLURM_ARRAY_TASK_ID}.json" \
	"$EVIDENCE"
