#!/bin/bash
# The ranks' own sockets (the watchdog's roll call) are open to the job alone.
# On one node they are Unix sockets in Linux's abstract namespace, named after the job's token
# (no file, so nothing is left even by a rank killed with SIGKILL): no rank listens on
# TCP, another user's connection is closed without a word, a connection of the same user that
# says nothing neither delays the job nor keeps it from ending, and TMPDIR is empty at the end.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/outsider.XXXXXX")
mkdir -p "$dir/tmp"
chmod 755 "$dir" "$dir/tmp"

# A run that lasts a few seconds (rank 0 slowed at 4K), looked at once its first result streamed.
# Open MPI's own TCP transport (its library's sockets, not gpuxfer's) left out.
gx_mpirun_opts="--oversubscribe --bind-to none --mca mpi_yield_when_idle 1 --mca btl self,vader --mca pml ob1"
TMPDIR=$dir/tmp GPUXFER_FAULT=slow:rank=0:size=4K:ms=300 gx_mpirun 2 --path host --pattern latency \
    --sizes 8,4K --iters 12 --warmup 1 --quiet --timeout 20 --output "$dir/r.json" >"$dir/r.out" 2>&1 &
p=$!
while [ ! -s "$dir/r.json.jsonl" ] && kill -0 "$p" 2>/dev/null; do sleep 0.05; done
pids=$(pgrep -f "^$GPUXFER .*--output $dir/r.json" | tr '\n' ' ')
tcp=""
for q in $pids; do
    tcp="$tcp$(ss -Hltnp 2>/dev/null | grep "pid=$q," | awk '{print $4}') "
done
# The ranks' Unix sockets: names in the abstract namespace (ss shows them with a leading @).
names=""
for q in $pids; do
    names="$names$(ss -Hlxp 2>/dev/null | grep "pid=$q," | awk '{print $5}' | grep '^@gpuxfer-rc-[0-9a-f]\{16\}/r[0-9]*$') "
done
prefix=$(for f in $names; do dirname "$f"; done | sort -u | head -n 1)
socks=$(for f in $names; do basename "$f"; done | sort | tr '\n' ' ')
r1=$(printf '%s/r1' "${prefix#@}")
# Another user: connects (an abstract name has no mode), but is closed before a word.
other=skipped
# (the system's python: a user's own, e.g. under pyenv, may not be readable to another user)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3 ]; then
    other=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 - "$r1" <<'PY' 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
try:
    s.connect("\0" + sys.argv[1])
    s.sendall(b"x" * 12)
    print("closed" if s.recv(200) == b"" else "answered")
except (ConnectionResetError, BrokenPipeError):  # closed while it wrote or read
    print("closed")
except OSError as e:
    print(type(e).__name__)
PY
)
fi
# The same user, holding 20 connections open without a word while the run ends.
"$PYTHON" - "$r1" <<'PY' >"$dir/hold.out" 2>&1 &
import socket, sys, time
held = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect("\0" + sys.argv[1])
        held.append(s)
    except OSError:
        pass
print(len(held), flush=True)
time.sleep(60)
PY
h=$!
t0=$(date +%s)
wait "$p"
rc=$?
t=$(( $(date +%s) - t0 ))
kill "$h" 2>/dev/null
wait "$h" 2>/dev/null
[ -n "$pids" ] && [ -z "$(echo "$tcp" | tr -d ' ')" ] && [ -n "$socks" ]
ok $? "one node: the ranks (${pids:-none}) listen on no TCP port (${tcp// /}), on Unix sockets of their own (${socks:-none})"
[ -n "$prefix" ] && [ "$(echo "$names" | wc -w)" -eq 2 ]
ok $? "their names are abstract, no file (${prefix:-none}), one a rank"
if [ "$other" = skipped ]; then
    skip "another user's connection: needs root, setpriv and /usr/bin/python3"
else
    [ "$other" = closed ]
    ok $? "another user's connection to a rank's socket is closed without an answer ($other)"
fi
[ $rc -eq 0 ] && [ "$(head -n1 "$dir/hold.out")" -ge 1 ] 2>/dev/null && check_report "$dir/r.json" >/dev/null 2>&1
ok $? "idle connections of the same user held open: the job ends by itself, exit $rc, report valid ($(head -n1 "$dir/hold.out") held, ${t} s after)" ||
    diag <"$dir/r.out"
[ -z "$(ls -A "$dir/tmp")" ] && ! ss -Hlx 2>/dev/null | grep -q -- "${prefix:-@gpuxfer-rc-none}/"
ok $? "nothing left after the run: TMPDIR ($(ls -A "$dir/tmp" | tr '\n' ' ')), no socket named ${prefix:-none}"

# A rank killed with SIGKILL mid-run (as a launcher ends a job whose rank will not stop): no
# socket of the job left anywhere.
TMPDIR=$dir/tmp GPUXFER_FAULT=slow:rank=0:size=4K:ms=300 gx_mpirun 2 --path host --pattern latency \
    --sizes 8,4K --iters 12 --warmup 1 --quiet --timeout 20 --output "$dir/k.json" >"$dir/k.out" 2>&1 &
p=$!
while [ ! -s "$dir/k.json.jsonl" ] && kill -0 "$p" 2>/dev/null; do sleep 0.05; done
kpids=$(pgrep -f "^$GPUXFER .*--output $dir/k.json" | tr '\n' ' ')
kname=$(for q in $kpids; do ss -Hlxp 2>/dev/null | grep "pid=$q," | awk '{print $5}'; done |
    grep '^@gpuxfer-rc-' | head -n 1)
kill -KILL $kpids 2>/dev/null
wait "$p" 2>/dev/null
sleep 1
[ -n "$kname" ] && [ -z "$(ls -A "$dir/tmp")" ] && ! ss -Hlx 2>/dev/null | grep -q -- "$(dirname "$kname")/"
ok $? "the ranks killed with SIGKILL: nothing in TMPDIR, no socket named $(dirname "${kname:-none}")"
rm -rf "$dir"
done_testing
