#!/bin/bash
# Every signal of the table (GX_STOP_SIGNALS), to rank 0 and to rank 1, at a
# moment drawn anew each time, beside two busy loops this test starts (and always ends), leaves
# the report with every result the .jsonl holds and exit 5 (gx_signal_check), and nothing of
# gpuxfer's in TMPDIR or /dev/shm. GX_SIGNAL_REPEAT
# times each (default 1, about 2 minutes beside other work; 20 for the proof in the issue).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/signal-repeat.XXXXXX")
repeat=${GX_SIGNAL_REPEAT:-1}
hogs=""
end_hogs() { for h in $hogs; do kill "$h" 2>/dev/null; done; }
trap end_hogs EXIT
trap 'exit 130' INT TERM HUP
for _ in 1 2; do
    (while :; do :; done) &
    hogs="$hogs $!"
done
# What a run left behind: anything in its own TMPDIR (the roll call's sockets are abstract and
# UCX's log, UCX_PROTO_INFO=y, is an anonymous file: nothing of gpuxfer's is named there), and a
# segment of gpuxfer's in /dev/shm that was not there before and is still there a moment later
# (other tests' segments live only until their peer opens them).
left_behind() {
    local new
    new=$(ls /dev/shm | grep '^gpuxfer-' | sort | comm -13 "$dir/shm.before" -)
    [ -n "$new" ] && sleep 1 && new=$(ls /dev/shm | grep '^gpuxfer-' | sort | comm -12 - <(echo "$new"))
    echo $(ls -A "$dir/tmp") $new
}
# The moment: 0-1.5 s after the first result streamed, in a short step, between steps or in
# the slow one (gx_signal_args).
sigs=$(sed -n 's/^#define GX_STOP_SIGNALS(X) //p' "$top_srcdir/src/base/gx.h" |
    sed 's/X(SIG\([A-Z0-9]*\))/\1/g')
for sig in $sigs; do
    for rank in 0 1; do
        pass=0
        for i in $(seq 1 "$repeat"); do
            delay=$((RANDOM % 1500))
            ls /dev/shm | grep '^gpuxfer-' | sort >"$dir/shm.before"
            mkdir -p "$dir/tmp"
            TMPDIR=$dir/tmp UCX_PROTO_INFO=y GPUXFER_FAULT=$gx_signal_fault \
                gx_signal_run "$dir" "r$rank-$sig-$i" "$sig" "$rank" "$delay" $gx_signal_args
            left=$(left_behind)
            if gx_signal_check "$dir/r$rank-$sig-$i.json" "$sig" "$rank" && [ -z "$left" ]; then
                pass=$((pass + 1))
                echo "SIG$sig to rank $rank, try $i, $delay ms after the first result: passed" | diag
            else
                echo "SIG$sig to rank $rank, try $i, $delay ms after the first result: FAILED, exit $rc${left:+, left behind: $left}" | diag
                diag <"$dir/r$rank-$sig-$i.out"
            fi
        done
        [ "$pass" -eq "$repeat" ]
        ok $? "SIG$sig to rank $rank beside two busy loops: $pass of $repeat tries exit 5 with the report's results the .jsonl's lines, nothing of gpuxfer's left in TMPDIR or /dev/shm"
    done
done
[ "$failed" -eq 0 ] && rm -rf "$dir"
done_testing
