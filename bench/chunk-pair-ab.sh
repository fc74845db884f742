#!/bin/bash
# Two chunk/depth settings of one path and size, measured in turn (A B A B ...), each run a job
# of its own with fixed iterations and no budget: whether the setting the default run's search
# chose is within 1% of the one the exhaustive search chose, beyond one run's noise. Prints each
# run's median and, per pair, the median of A's runs over the median of B's.
#   NEW=path/to/gpuxfer [PAIRS=3] [ITERS=20] bench/chunk-pair-ab.sh PATH:SIZE:CHUNK/DEPTH:CHUNK/DEPTH ...
# e.g. staged:16M:16M/2:16M/4. From the source tree's root on the GPU machine (the kit's MPI,
# .gpukit/env.sh).
set -u
: "${NEW:?set NEW to the gpuxfer to run}"
PAIRS=${PAIRS:-3}
ITERS=${ITERS:-20}
# shellcheck source=/dev/null
[ -f "$PWD/.gpukit/env.sh" ] && . "$PWD/.gpukit/env.sh"
export TMPDIR=${TMPDIR:-/dev/shm}
out=$(mktemp -d)
median_of() { # REPORT: the bw result's median
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["stats"]["median"])' "$1"
}
printf '%-18s %6s %-10s %s\n' path size setting "medians GB/s (in turn)"
for spec in "$@"; do
    IFS=: read -r path size a b <<<"$spec"
    declare -A got=([A]="" [B]="")
    for i in $(seq 1 "$PAIRS"); do
        for side in A B; do
            s=$a
            [ "$side" = B ] && s=$b
            r="$out/$path-$size-$side-$i.json"
            timeout -k 10 120 mpirun -np 2 --bind-to none -x TMPDIR "$NEW" --path "$path" \
                --pattern bw --sizes "$size" --chunk "${s%/*}" --depth "${s#*/}" \
                --calibrate off --iters "$ITERS" --quiet --output "$r" >/dev/null 2>&1 &&
                got[$side]+="$(median_of "$r") "
        done
    done
    printf '%-18s %6s %-10s %s\n' "$path" "$size" "$a" "${got[A]}"
    printf '%-18s %6s %-10s %s\n' "" "" "$b" "${got[B]}"
    python3 - "${got[A]}" "${got[B]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
if a and b:
    print("%-18s %6s %-10s A/B of the medians %.3f (A %.4g-%.4g, B %.4g-%.4g)" % (
        "", "", "", statistics.median(a) / statistics.median(b), min(a), max(a), min(b), max(b)))
PY
done
