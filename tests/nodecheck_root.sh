#!/bin/sh
# scripts/slurm/gpuxfer-nodecheck.sh as slurmd runs it, root, beside an unprivileged user
# (nobody) who prepares its folder first: a folder, a file or a link of theirs where the runs'
# folder goes, or on the way to it; a folder writable by others; programs of theirs; a disk or
# its inodes filled, /dev/shm filled before or during the check; Open MPI's session folder taken
# in the TMPDIR slurmd gave. The script refuses each one without
# writing through it and without draining. And its time boxes as HealthCheckProgram at their
# defaults, measured: a check and an scontrol that both ignore SIGTERM, an nvidia-smi that hangs:
# drained (or said) before slurmd's kill at 60 s. The stand-ins as in tests/nodecheck_slurm.sh.
. "$top_srcdir/tests/lib.sh"
script=$top_srcdir/scripts/slurm/gpuxfer-nodecheck.sh
dir=$(mktemp -d "$TEST_TMP/nodecheck_root.XXXXXX")
node=$(hostname -s)
# The stand-ins in /tmp: root runs only programs that no one else can replace, and the build
# tree's folders are the builder's.
top=$(mktemp -d /tmp/gx-nodecheck.XXXXXX)
bin=$top/bin
mkdir -p "$bin" "$top/deaf"
cat >"$bin/scontrol" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >>"$dir/scontrol.args"
echo >>"$dir/scontrol.args"
EOF
cat >"$bin/gpuxfer-stub" <<EOF
#!/bin/sh
[ -n "\${STUB_DEAF:-}" ] && trap '' TERM
[ -z "\${STUB_ENV:-}" ] || env >"\$STUB_ENV"
[ -z "\${STUB_FILL:-}" ] || dd if=/dev/zero of="\$STUB_FILL" bs=1M count=128 2>/dev/null
sleep "\${STUB_SLEEP:-0}"
printf '%s' "\${STUB_OUT:-}"
exit "\${STUB_RC:-0}"
EOF
# Programs that ignore SIGTERM and hang, in a folder of their own that goes first on PATH.
for p in scontrol nvidia-smi; do
    printf '#!/bin/sh\ntrap "" TERM\nsleep 587\n' >"$top/deaf/$p"
done
chmod +x "$bin/"* "$top/deaf/"*
pass='PASS
'
fail='FAIL reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"
'

# nc NAME [VAR=VALUE...]: the script as HealthCheckProgram with the stand-ins; its exit status,
# stdout in $dir/NAME.out, stderr in $dir/NAME.err.
nc() {
    name=$1; shift
    rm -f "$dir/scontrol.args"
    env -u SLURM_SCRIPT_CONTEXT -u GX_NODECHECK_MODE PATH="$bin:$PATH" \
        GX_NODECHECK_GPUXFER=gpuxfer-stub GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 \
        "$@" bash "$script" >"$dir/$name.out" 2>"$dir/$name.err"
}
not_drained() { [ ! -e "$dir/scontrol.args" ]; }

# The time boxes at their defaults (35 s for the check as HealthCheckProgram): a check that
# ignores SIGTERM, then an scontrol that ignores it too. The verdict rests on the script's own
# decisions and on 60 s, slurmd's kill, which its plan (51 s at most) leaves room under.
start=$(date +%s)
nc deaf PATH="$top/deaf:$bin:$PATH" GX_NODECHECK_DIR="$top/runs" STUB_DEAF=1 STUB_SLEEP=577
rc=$?
took=$(( $(date +%s) - start ))
[ $rc -eq 0 ] && [ "$took" -lt 60 ] &&
    grep -Eq "draining $node: gpuxfer could not run: stopped at (3[5-9]|4[0-9]) s, killed: it ignored SIGTERM" \
        "$dir/deaf.err" &&
    grep -q "scontrol update nodename=$node state=drain failed" "$dir/deaf.err"
ok $? "as HealthCheckProgram, a check and an scontrol that ignore SIGTERM: killed, the drain tried and said, in $took s of 60 ($rc)" ||
    diag <"$dir/deaf.err"
! pgrep -f 'sleep 5[78]7' >/dev/null
ok $? "nothing of theirs is left running" || pgrep -af 'sleep 5[78]7' | diag
start=$(date +%s)
nc smi PATH="$top/deaf:$bin:$PATH" GX_NODECHECK_DIR="$top/runs" GX_NODECHECK_NP= \
    GX_NODECHECK_DRYRUN=1 STUB_OUT="$pass"
rc=$?
took=$(( $(date +%s) - start ))
[ $rc -eq 0 ] && [ "$took" -lt 60 ] &&
    grep -Eq '^scontrol update nodename=.* reason="gpuxfer could not run: nvidia-smi -L stopped at [0-9]+ s, killed: it ignored SIGTERM"$' \
        "$dir/smi.out"
ok $? "an nvidia-smi that hangs: killed after its 10 s, drained, in $took s ($rc): $(cat "$dir/smi.out")" ||
    diag <"$dir/smi.err"

if [ "$(id -u)" -ne 0 ]; then
    skip "not root: the folders of another user (nobody) need root"
    rm -rf "$dir" "$top"
    done_testing
    exit
fi
command -v setpriv >/dev/null || { skip "no setpriv to act as nobody"; rm -rf "$dir" "$top"; done_testing; exit; }
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# base: root's; pub: open to all with the sticky bit, as /tmp; victim: a folder of root's that
# the other user would have root write into.
base=$(mktemp -d /tmp/gx-ncroot.XXXXXX)
chmod 755 "$base"
mkdir -m 1777 "$base/pub"
mkdir -m 700 "$base/victim"
echo "root's" >"$base/victim/precious"
untouched() { # untouched PATH: the victim folder, and PATH if given, as they were
    [ "$(ls -A "$base/victim")" = precious ] && [ "$(cat "$base/victim/precious")" = "root's" ] &&
        { [ -z "${1:-}" ] || [ -z "$(ls -A "$1" 2>/dev/null)" ]; }
}
# refused NAME WORDS DIR: the script with GX_NODECHECK_DIR=DIR: not checked, not drained, the
# error saying WORDS, nothing written into the victim
refused() {
    nc "$1" STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DIR="$3"
    _rc=$?
    [ $_rc -eq 2 ] && not_drained && grep -q "not checked, not drained: GX_NODECHECK_DIR .*$2" \
        "$dir/$1.err" && untouched
    ok $? "$1: refused, not drained, nothing written ($_rc): $(cat "$dir/$1.err")"
}

nobody mkdir "$base/pub/a"
refused "a folder the other user made first" "$base/pub/a belongs to uid $(id -u nobody)" \
    "$base/pub/a"
[ -z "$(ls -A "$base/pub/a")" ]
ok $? "nothing written into the other user's folder"
nobody ln -s "$base/victim" "$base/pub/b"
refused "the other user's link to root's folder" "$base/pub/b is a link of uid" "$base/pub/b"
nobody ln -s "$base/victim/new" "$base/pub/c"
refused "the other user's link to a name that does not exist" "$base/pub/c is a link of uid" \
    "$base/pub/c"
nobody touch "$base/pub/d"
refused "the other user's file where the folder goes" "$base/pub/d belongs to uid" "$base/pub/d"
nobody mkdir -m 777 "$base/pub/e"
refused "a folder on the way that the other user made" "$base/pub/e belongs to uid" \
    "$base/pub/e/sub/runs"
[ ! -e "$base/pub/e/sub" ]
ok $? "nothing made in the other user's folder on the way"
mkdir -m 777 "$base/f"
refused "root's folder writable by others" "$base/f is writable by others .mode 777." "$base/f"
mkdir -m 777 "$base/g"
refused "a folder on the way writable by others, without the sticky bit" \
    "$base/g is writable by others" "$base/g/runs"
mkdir -m 775 "$base/h" && chgrp nogroup "$base/h"
refused "a folder writable by its group" "$base/h is writable by others .mode 775." "$base/h"
mkdir -p -m 700 "$base/safe"
nobody mkdir -m 777 "$base/pub/i"
ln -s "$base/pub/i/j" "$base/l2"
refused "root's link to a place in the other user's folder" "$base/pub/i belongs to uid" \
    "$base/l2/runs"
[ ! -e "$base/pub/i/j" ]
ok $? "nothing made there"

# Programs root would run that the other user can replace: refused, not run.
# refused_program NAME WORDS VAR=VALUE...: not checked, not drained, WORDS said, no mark left
refused_program() {
    _name=$1 _words=$2; shift 2
    nc "$_name" STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DIR="$base/safe/runs" "$@"
    _rc=$?
    [ $_rc -eq 2 ] && not_drained && [ ! -e "$base/ran" ] &&
        grep -q "not checked, not drained: .*root would run a program others can replace: $_words" \
            "$dir/$_name.err"
    ok $? "$_name: refused, not run, not drained ($_rc): $(cat "$dir/$_name.err")"
}
printf '#!/bin/sh\n: >"%s"\n' "$base/ran" >"$base/marker"
nobody cp "$base/marker" "$base/pub/gx"
nobody chmod 755 "$base/pub/gx"
mkdir -p "$base/safe"
refused_program "the other user's program as GX_NODECHECK_GPUXFER" "$base/pub/gx belongs to uid" \
    GX_NODECHECK_GPUXFER="$base/pub/gx"
install -m 755 "$base/marker" "$base/g/gx"
refused_program "root's program in a folder others can write" "$base/g is writable by others" \
    GX_NODECHECK_GPUXFER="$base/g/gx"
install -m 777 "$base/marker" "$base/safe/gx"
refused_program "root's program that others can write" "$base/safe/gx is writable by others" \
    GX_NODECHECK_GPUXFER="$base/safe/gx"
nobody mkdir -m 755 "$base/pub/bin"
nobody cp "$base/marker" "$base/pub/bin/mpirun"
nobody chmod 755 "$base/pub/bin/mpirun"
refused_program "the other user's launcher found on PATH" "$base/pub/bin belongs to uid" \
    PATH="$base/pub/bin:$bin:$PATH" GX_NODECHECK_LAUNCH=

# What is safe: a folder of root's in a sticky one (a race for its name the other user can
# only lose to root or win for themselves, refused), links of root's in root's folders,
# relative ones with '..'.
nc sticky STUB_OUT="$pass" GX_NODECHECK_DIR="$base/pub/root-runs"
[ $? -eq 0 ] && [ "$(stat -c '%U %a' "$base/pub/root-runs")" = "root 700" ]
ok $? "a new folder in a sticky folder: made root's, 0700, checked: PASS" || diag <"$dir/sticky.err"
ln -s "$base/safe" "$base/l1"
ln -s "../$(basename "$base")/safe/../safe" "$base/l3"
nc link STUB_OUT="$pass" GX_NODECHECK_DIR="$base/l1/runs"
rc1=$?
nc relative STUB_OUT="$pass" GX_NODECHECK_DIR="$base/l3/runs"
[ $rc1 -eq 0 ] && [ $? -eq 0 ] && [ -d "$base/safe/runs" ]
ok $? "root's links, absolute and relative with '..': followed, checked, PASS" ||
    cat "$dir/link.err" "$dir/relative.err" | diag
run=$(find "$base/safe/runs" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ "$(stat -c '%U %a' "$run")" = "root 700" ] &&
    [ -z "$(find "$run" -type f ! -perm 600)" ] && [ -n "$(find "$run" -type f)" ]
ok $? "a run's folder 0700 and its files 0600, root's" || ls -la "$run" | diag

# A disk and its inodes filled by the other user (a tmpfs of root's, open to all as /tmp):
# not the node's fault, not drained.
fs=$base/fs
mkdir -m 755 "$fs"
if mount -t tmpfs -o size=8m,mode=1777 gx-nodecheck "$fs" 2>/dev/null; then
    mkdir -m 700 "$fs/runs"
    nobody dd if=/dev/zero of="$fs/filler" bs=1M count=16 2>/dev/null
    nc full STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DIR="$fs/runs"
    [ $? -eq 2 ] && not_drained && grep -q "no room for a run" "$dir/full.err"
    ok $? "a disk the other user filled: not checked, not drained: $(cat "$dir/full.err")"
    umount "$fs"
    mount -t tmpfs -o size=8m,nr_inodes=64,mode=1777 gx-nodecheck "$fs"
    mkdir -m 700 "$fs/runs"
    nobody sh -c 'i=0; while : >"$1/f$i" 2>/dev/null; do i=$((i + 1)); done' sh "$fs"
    nc inodes STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DIR="$fs/runs"
    [ $? -eq 2 ] && not_drained && grep -q "no room for a run" "$dir/inodes.err"
    ok $? "no free inodes: not checked, not drained: $(cat "$dir/inodes.err")"
    umount "$fs"
else
    skip "a full disk: root cannot mount a tmpfs here"
    skip "no free inodes: root cannot mount a tmpfs here"
fi

# /dev/shm filled by the other user (in a mount namespace of the test's own, a small tmpfs
# there): before the check, and during it (the stand-in fills it and fails without a verdict).
if unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs /dev/shm' 2>/dev/null; then
    rm -f "$dir/scontrol.args"
    unshare -m sh -c 'mount -t tmpfs -o size=96m,mode=1777 gx-shm /dev/shm &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups \
            dd if=/dev/zero of=/dev/shm/filler bs=1M count=128 2>/dev/null
        exec env "$@"' sh PATH="$bin:$PATH" GX_NODECHECK_GPUXFER=gpuxfer-stub \
        GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 GX_NODECHECK_DIR="$base/safe/runs" \
        STUB_OUT="$fail" STUB_RC=8 bash "$script" >"$dir/shm.out" 2>"$dir/shm.err"
    [ $? -eq 2 ] && not_drained && grep -q "/dev/shm: no room for a run" "$dir/shm.err"
    ok $? "a /dev/shm the other user filled: not checked, not drained: $(cat "$dir/shm.err")"
    unshare -m sh -c 'mount -t tmpfs -o size=96m,mode=1777 gx-shm /dev/shm &&
        exec env "$@"' sh PATH="$bin:$PATH" GX_NODECHECK_GPUXFER=gpuxfer-stub \
        GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 GX_NODECHECK_DIR="$base/safe/runs" \
        STUB_FILL=/dev/shm/filler STUB_RC=3 bash "$script" >"$dir/shm2.out" 2>"$dir/shm2.err"
    [ $? -eq 2 ] && not_drained &&
        grep -q "/dev/shm: no room for a run .*, after the check: gpuxfer could not run: exit 3" \
            "$dir/shm2.err"
    ok $? "a /dev/shm filled during the check, which then fails: not checked, not drained: $(cat "$dir/shm2.err")"
else
    skip "a full /dev/shm: no mount namespace with a tmpfs of its own here"
    skip "a /dev/shm filled during the check: no mount namespace with a tmpfs of its own here"
fi

# Open MPI's session folder: slurmd's TMPDIR is open to all, and the other user made the folder
# Open MPI 4 would use in it (ompi.HOST.0) first, open to all. The check's own TMPDIR (and
# Open MPI's setting) keeps the launcher out of it.
if "$MPIRUN" --version 2>/dev/null | grep -q 'Open MPI'; then
    taken=$base/pub/ompi.$(hostname).0
    nobody mkdir -m 777 "$taken"
    nobody touch "$taken/mine"
    before=$(stat -c '%i %y' "$taken")
    nc session STUB_OUT="$pass" GX_NODECHECK_DIR="$base/safe/runs" TMPDIR="$base/pub" \
        OMPI_MCA_orte_tmpdir_base="$base/pub" STUB_ENV="$base/session.env" \
        GX_NODECHECK_LAUNCH="$MPIRUN -np 2 --oversubscribe --bind-to none" \
        GX_NODECHECK_GPUXFER="$bin/gpuxfer-stub"
    rc=$?
    [ $rc -eq 0 ] && grep -q PASS "$dir/session.err" &&
        [ "$(stat -c '%i %y' "$taken")" = "$before" ] && [ "$(ls -A "$taken")" = mine ] &&
        grep -q "^TMPDIR=$base/safe/runs/[^/]*/tmp$" "$base/session.env"
    ok $? "Open MPI's session folder taken in slurmd's TMPDIR: not used (untouched), PASS ($rc)" ||
        cat "$dir/session.err" "$base/session.env" | diag
else
    skip "Open MPI's session folder: $MPIRUN is not Open MPI's"
fi

rm -rf "$dir" "$top" "$base"
done_testing
