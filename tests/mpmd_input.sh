#!/bin/bash
# Ranks that disagree: one agreement step (gx_agree_input) compares every
# rank's arguments and GPUXFER_FAULT with rank 0's before any rank parses them, so an MPMD
# launch or a per-rank environment that gives one rank other input ends at once with one line
# naming the rank, the argument and both values: exit 2, never the start-up timeout, never
# MPI_ERR_TRUNCATE.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/mpmd-input.XXXXXX")
base="--path host --pattern latency --iters 5 --warmup 1 --quiet"

# mpmd NAME "ARGS OF RANK 0" "ARGS OF RANK 1" ["ARGS OF RANK 2"]: an MPMD launch, one rank each.
mpmd() {
    local name=$1 a=$2 b=$3 c=${4-} t0
    t0=$(date +%s)
    # shellcheck disable=SC2086
    timeout -k 10 600 "$MPIRUN" $gx_mpirun_opts -np 1 $a : -np 1 $b ${c:+: -np 1 $c} \
        >"$dir/$name.out" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
}
G=$GPUXFER
# Found by the agreement step, not by the start-up's watchdog: no "did not end within" (how long
# the job took is said, not asserted: it depends on the machine's load).
check() { # check NAME PATTERN DESCRIPTION
    [ $rc -eq 2 ] && grep -q -- "$2" "$dir/$1.out" &&
        ! grep -q "MPI_ERR_TRUNCATE\|did not end within" "$dir/$1.out" &&
        [ "$(grep -c '^gpuxfer: ' "$dir/$1.out")" -eq 1 ]
    ok $? "$3: exit 2 (got $rc) in $secs s, one line" || diag <"$dir/$1.out"
}

mpmd sizes "$G $base --sizes 8,1K --output $dir/x.json" "$G $base --sizes 8,4K --output $dir/x.json"
check sizes "rank 1's input differs from rank 0's: argument .* (the value of --sizes) is '8,4K' on rank 1 but '8,1K' on rank 0" \
    "other --sizes on rank 1"
mpmd iters "$G $base --sizes 8 --iters 7 --output $dir/x.json" "$G $base --sizes 8 --iters 9 --output $dir/x.json"
check iters "(the value of --iters) is '9' on rank 1 but '7' on rank 0" "other --iters on rank 1"
mpmd extra "$G $base --sizes 8 --output $dir/x.json" "$G $base --sizes 8 --output $dir/x.json --validate all"
check extra "is '--validate' on rank 1 but '(none)' on rank 0" "an option only rank 1 has"
mpmd bad "$G $base --sizes 8 --output $dir/x.json" "$G $base --sizes 8,banana --output $dir/x.json"
check bad "is '8,banana' on rank 1 but '8' on rank 0" "input only rank 1 sees as bad"
mpmd fault "$G $base --sizes 8 --output $dir/x.json" "env GPUXFER_FAULT=hang:rank=0:size=8 $G $base --sizes 8 --output $dir/x.json"
check fault "the environment is 'GPUXFER_FAULT=hang:rank=0:size=8' on rank 1 but 'GPUXFER_FAULT unset' on rank 0" \
    "a fault spec in rank 1's environment only"
mpmd three "$G $base --sizes 8 --output $dir/x.json" "$G $base --sizes 16 --output $dir/x.json" \
    "$G $base --sizes 32 --output $dir/x.json"
check three "rank 1's input differs .* (2 ranks differ)" "two ranks of three differ: the lowest named, the count said"
[ ! -e "$dir/x.json" ] && [ ! -e "$dir/x.json.jsonl" ]
ok $? "no report and no .jsonl left by the refused launches"

# The program's own name may differ (MPMD with two installations of gpuxfer).
ln -s "$G" "$dir/gpuxfer-other"
mpmd names "$G $base --sizes 8 --output $dir/y.json" "$dir/gpuxfer-other $base --sizes 8 --output $dir/y.json"
[ $rc -eq 0 ]
ok $? "MPMD with the same input under two program names runs (exit $rc)" || diag <"$dir/names.out"

rm -rf "$dir"
done_testing
