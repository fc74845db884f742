#!/bin/bash
# gpuxfer's shared-memory segments in /dev/shm, a folder every local user
# shares. A /dev/shm too small for a size (64 MiB, Docker's default, and 2 segments of 32 MiB)
# is a skip whose reason names /dev/shm's sizes, never a crash; a name someone placed first is
# neither followed nor removed, and the run goes on under a fresh random name; names are not
# derived from the process id; nothing is left in /dev/shm.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/small_shm.XXXXXX")
host="--path host --iters 5 --warmup 1 --quiet"

# with_shm SIZE LEFT COMMAND...: COMMAND with a /dev/shm of SIZE of its own (a private mount
# namespace); what is in it afterwards listed into LEFT. Exit 90: no such namespace here.
with_shm() {
    unshare -m sh -c 'mount -t tmpfs -o "size=$1" tmpfs /dev/shm 2>/dev/null || exit 90
        left=$2; shift 2; "$@"; rc=$?; ls -A /dev/shm >"$left"; exit $rc' with_shm "$@"
}
if unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs /dev/shm' 2>"$dir/unshare.err"; then
    ns=1
else
    ns=0
    why="unshare -m with a tmpfs on /dev/shm is not permitted here ($(head -n 1 "$dir/unshare.err"); not root?)"
fi

# --- /dev/shm of 64 MiB: the ceiling probe's 2 segments of 32 MiB do not fit ------------------
if [ $ns -eq 1 ]; then
    out=$dir/small.json
    # shellcheck disable=SC2086
    with_shm 64m "$dir/small.left" timeout -k 10 "${GX_TIMEOUT:-180}" "$MPIRUN" -np 2 \
        $gx_mpirun_opts "$GPUXFER" $host --sizes 16M,32M --output "$out" >"$dir/small.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 7 ]
    ok $? "/dev/shm of 64 MiB, 16M,32M: exit 0 or 7 (saw $rc)" || diag <"$dir/small.out"
    ! grep -qiE 'segmentation fault|signal 11|SIGSEGV|SIGBUS' "$dir/small.out"
    ok $? "/dev/shm of 64 MiB: no rank ended by a signal" || diag <"$dir/small.out"
    check_report "$out" --ranks 2 --sizes 2 --pairs 0-1 --allow-skipped
    ok $? "/dev/shm of 64 MiB: report valid"
    # The probe's points at 32M: absent, their reason naming /dev/shm with the size asked and
    # what it had free; at 16M (2 segments of 16 MiB) measured.
    py_check "$out" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
pts = [p for rp in d["ceilings"]["rank_pairs"] for k, v in rp.items()
       if isinstance(v, dict) and k.startswith("shm_") for p in v["points"]]
why = [p.get("absent", "") for p in pts if p["size"] == 32 << 20]
fits = [p for p in pts if p["size"] == 16 << 20]
print("32M:", why, "16M measured:", sum("best" in p for p in fits), "of", len(fits))
pat = r"/dev/shm too small: a segment of \d+ bytes asked, \d+ free of \d+"
sys.exit(0 if why and all(re.search(pat, w) for w in why) and fits and
         all("best" in p for p in fits) else 1)
PY
    ok $? "/dev/shm of 64 MiB: 32M skipped, the reason naming /dev/shm, the size asked and free; 16M measured"
    ! grep -q '^gpuxfer-' "$dir/small.left"
    ok $? "/dev/shm of 64 MiB: no gpuxfer segment left in /dev/shm" || diag <"$dir/small.left"
else
    for t in "exit" "no signal" "report" "reason" "nothing left"; do skip "$why ($t)"; done
fi

# --- a name taken before the create; names not the pid's -----------------------------------
shim=$dir/shm_taken.so
if ${CC:-cc} -shared -fPIC -o "$shim" "$top_srcdir/tests/shm_taken.c" -ldl 2>"$dir/cc.err"; then
    # Under ASan (tests/sanitizers.sh) its runtime would have to come first in LD_PRELOAD.
    ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
    export ASAN_OPTIONS
    echo victim >"$dir/victim"
    out=$dir/taken.json
    run=(timeout -k 10 "${GX_TIMEOUT:-180}" env GX_SHIM_LOG="$dir/names" GX_SHIM_VICTIM="$dir/victim"
         LD_PRELOAD="$shim" "$MPIRUN" -np 2 $gx_mpirun_opts -x LD_PRELOAD -x GX_SHIM_LOG
         -x GX_SHIM_VICTIM "$GPUXFER" $host --sizes 64K,1M --output "$out")
    if [ $ns -eq 1 ]; then
        with_shm 256m "$dir/taken.left" "${run[@]}" >"$dir/taken.out" 2>&1
    else # the real /dev/shm: the links the shim placed are removed below
        "${run[@]}" >"$dir/taken.out" 2>&1
    fi
    rc=$?
    planted=$(awk '!seen[$1]++ {print $2}' "$dir/names" 2>/dev/null)
    links=0
    for name in $planted; do
        if [ $ns -eq 1 ]; then
            grep -qx "${name#/}" "$dir/taken.left" && links=$((links + 1))
        else
            [ -L "/dev/shm$name" ] && links=$((links + 1))
            rm -f "/dev/shm$name"
        fi
    done
    [ $rc -eq 0 ] && [ "$(cat "$dir/victim")" = victim ] && [ "$links" -eq 2 ]
    ok $? "a link placed at each rank's first segment name: not followed, not removed (rc $rc, $links of 2 left)" ||
        diag <"$dir/taken.out"
    check_report "$out" --ranks 2 --sizes 2 --pairs 0-1
    ok $? "a name taken: report valid"
    py_check "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pts = [p for rp in d["ceilings"]["rank_pairs"] for k, v in rp.items()
       if isinstance(v, dict) and k.startswith("shm_") for p in v["points"]]
print([p.get("absent", "measured") for p in pts])
sys.exit(0 if pts and all("best" in p for p in pts) else 1)
PY
    ok $? "a name taken: the probe retried under a fresh name, every point measured"
    # Every create a name of its own, random (24 hex digits), the process id nowhere in it:
    # the old names, /gpuxfer-<pid>-<rank>-<what>, were the same at every create of a process.
    py_check "$dir/names" <<'PY'
import re, sys
rows = [l.split() for l in open(sys.argv[1])]
names = [n for _, n in rows]
bad = [n for p, n in rows if not re.fullmatch(r"/gpuxfer-[a-z]+-[0-9a-f]{24}", n)
       or re.search(r"(^|\D)%s(\D|$)" % p, n)]
per = {}
for p, n in rows:
    per.setdefault(p, []).append(n)
print("%d creates by %d processes, %d distinct, not random: %s" % (len(names), len(per), len(set(names)), bad))
sys.exit(0 if len(per) == 2 and all(len(v) >= 2 for v in per.values())
         and len(set(names)) == len(names) and not bad else 1)
PY
    ok $? "segment names: random, distinct at every create, not derived from the pid"
    if [ $ns -eq 1 ]; then
        [ "$(grep -c '^gpuxfer-' "$dir/taken.left")" -eq "$links" ]
    else
        left=0
        while read -r _ name; do [ -e "/dev/shm$name" ] && left=$((left + 1)); done <"$dir/names"
        [ $left -eq 0 ]
    fi
    ok $? "a name taken: nothing of gpuxfer's own left in /dev/shm"
else
    for t in "link" "report" "retried" "names" "nothing left"; do
        skip "no C compiler for the shm_open shim ($t): $(head -n 1 "$dir/cc.err")"
    done
fi
rm -rf "$dir"
done_testing
