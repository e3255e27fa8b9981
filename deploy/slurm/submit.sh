#!/usr/bin/env bash
# Submits a sharded comparison to Slurm: a job array of SHARDS tasks, each training its
# share of the grid (gradscope compare --shard auto) into RESULTS/shard-<task id>, and a
# merge job that starts only when every task has succeeded (--dependency=afterok) and
# writes the whole comparison into RESULTS/merged.
#
#   deploy/slurm/submit.sh SHARDS RESULTS [gradscope compare flags...]
#   deploy/slurm/submit.sh 8 /shared/gradscope/ch4 --protocol dldna-ch4 --seeds 5
#
# RESULTS must be a folder every node sees (a shared file system). GRADSCOPE is the command
# that runs gradscope on a node: `gradscope` (npm install -g) by default, or a container,
# e.g. GRADSCOPE="apptainer run gradscope.sif" (built from deploy/Dockerfile).
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 SHARDS RESULTS [gradscope compare flags...]" >&2
  exit 2
fi
shards=$1
results=$2
shift 2
case "$shards" in
  '' | *[!0-9]* | 0) echo "$0: SHARDS must be a positive whole number, got '$shards'" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$results"
results=$(cd "$results" && pwd)
export GRADSCOPE="${GRADSCOPE:-gradscope}" GRADSCOPE_RESULTS="$results"

# The array's size given here overrides the #SBATCH --array line of shards.sbatch.
array=$(sbatch --parsable --array="0-$((shards - 1))" --export=ALL "$here/shards.sbatch" "$@")
array=${array%%;*} # --parsable prints "id" or "id;cluster"
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --export=ALL "$here/merge.sbatch")
echo "submitted: shards as job array $array (tasks 0-$((shards - 1))), merge as job $merge after all of them; results in $results/merged"
