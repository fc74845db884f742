#!/bin/sh
# LOG_DRIVER of every test: the TAP driver, then the test's wall time as the last line of its log,
# since automake's parallel harness records none; make test-times (dev/test-times.sh) reads them
# back, so that a tier's slowest programs can be found after any run of it.
log= prev=
for a; do
    case $a in
    --) break ;;
    --log-file=*) log=${a#--log-file=} ;;
    esac
    [ "$prev" = --log-file ] && log=$a
    prev=$a
done
start=$(date +%s.%N)
"$@"
rc=$?
end=$(date +%s.%N)
# A date without %N prints a literal N: awk reads "12.N" as 12, whole seconds.
[ -n "$log" ] && [ -f "$log" ] &&
    awk -v s="$start" -v e="$end" 'BEGIN { printf "# gx-wall-seconds: %.1f\n", e - s }' >>"$log"
exit $rc
