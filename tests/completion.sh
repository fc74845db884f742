#!/bin/sh
# The bash completion (completion/gpuxfer): options, the values of --path, --pattern, --pairs,
# --mem and the word lists of options like --ceilings, and the shipped scenario names, each
# asked of gpuxfer itself (--list), so that none can drift from the program.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/completion.XXXXXX")
command -v bash >/dev/null || finish_skip "no bash"

# complete WORDS...: what the completion offers for the last word, one line.
cat >"$dir/complete.bash" <<'SH'
. "$top_srcdir/completion/gpuxfer"
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_gpuxfer
echo "${COMPREPLY[*]}"
SH
# The limit is for a hang alone (the completion asks gpuxfer --list, which may wait for a core).
complete() { (cd "$dir" && timeout 300 bash "$dir/complete.bash" "$@" 2>&1); }

got=$(complete "$GPUXFER" --pa)
[ "$got" = "--path --pattern --pairs" ]
ok $? "options: --pa -> $got"
got=$(complete "$GPUXFER" --path '')
paths=$(gx_mpirun 1 --list paths 2>/dev/null | tr '\n' ' ')
[ -n "$paths" ] && [ "$got " = "$paths" ] && case " $got " in *" host mpi "*) true ;; *) false ;; esac
ok $? "--path: every path gpuxfer lists ($got)" || echo "gpuxfer --list paths: $paths" | diag
got=$(complete "$GPUXFER" --path host,st)
[ "$got" = "host,staged host,staged-mpi" ]
ok $? "--path host,st: the item after the comma ($got)"
got=$(complete "$GPUXFER" --pattern b)
[ "$got" = "bw bibw broadcast broadcast-inplace" ]
ok $? "--pattern b -> $got"
got=$(complete "$GPUXFER" --pairs all)
[ "$got" = "all-disjoint all all-concurrent" ]
ok $? "--pairs all -> $got"
got=$(complete "$GPUXFER" --ceilings '')
[ "$got" = "on off full" ]
ok $? "--ceilings: the words of its ARG ($got)"
got=$(complete "$GPUXFER" --scenario sm)
[ "$got" = "smoke" ]
ok $? "--scenario sm: the shipped scenario ($got)"
got=$(complete mpirun -np 2 "$GPUXFER" --mem pin)
[ "$got" = "pinned" ]
ok $? "after mpirun's options: --mem pin -> $got"
got=$(complete "$GPUXFER" --path = ho)
[ "$got" = "host" ]
ok $? "--path=ho (readline splits at '=') -> $got"

# gpuxfer-report's completion (completion/gpuxfer-report): its subcommands, then the options
# of the subcommand on the line, each read from the program's own --help.
cat >"$dir/report.bash" <<'SH'
. "$top_srcdir/completion/gpuxfer-report"
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_gpuxfer_report
echo "${COMPREPLY[*]}"
SH
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" >"$dir/gpuxfer-report"
chmod +x "$dir/gpuxfer-report"
report_complete() { (cd "$dir" && timeout 300 bash "$dir/report.bash" "$dir/gpuxfer-report" "$@" 2>&1); }
got=$(report_complete s)
[ "$got" = "summary sweep soak" ]
ok $? "gpuxfer-report s -> $got"
got=$(report_complete compare --fa)
[ "$got" = "--fail-below" ]
ok $? "gpuxfer-report compare --fa -> $got (from compare's --help)"
got=$(report_complete sweep --s)
[ "$got" = "--seed" ]
ok $? "gpuxfer-report sweep --s -> $got (from the shell subcommand's --help)"
rm -rf "$dir"
done_testing
