#!/bin/bash
# Issue 24 item 2, A/B interleaved on the CPU machine: the default host run (mpirun -np 2 gpuxfer,
# no GPU) before (old: calibration only) and after (new: a point that a result crossed is
# measured again by the pair); wall time and the count of results flagged '!'.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
W=${1:-/tmp/ab}; mkdir -p $W
for i in 1 2 3; do
  for v in old new; do
    G=/tmp/nocuda/src/gpuxfer; [ $v = old ] && G=/tmp/oldwt/b/src/gpuxfer
    s=$(date +%s.%N); mpirun --oversubscribe -np 2 $G --output $W/$v$i.json > $W/$v$i.txt 2>&1; rc=$?; e=$(date +%s.%N)
    rech=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for r in d['results'] if r.get('ceiling_rechecked')))" $W/$v$i.json)
    echo "$v run $i: rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(grep -cE '[0-9]!$' $W/$v$i.txt) of $(grep -cE '^ +[0-9]+ +0->1' $W/$v$i.txt), rechecked $rech, load $(cut -d' ' -f1 /proc/loadavg)"
    grep -E '[0-9]!$' $W/$v$i.txt
  done
done
