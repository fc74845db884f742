# shellcheck shell=bash
# What a configuration line of a sweep means; sourced (bash) by scripts/slurm/sweep-array.sbatch
# and scripts/gpuxfer-report sweep, so that both read a sweep file the same way.
#
# A sweep file has one configuration per line: settings separated by spaces or tabs, each
# NAME=VALUE, put into the environment of the job that runs that configuration, e.g.
#     UCX_TLS=tcp,sm,cuda_copy
#     NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0
#     OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=eth0
# (Open MPI reads an MCA parameter X from OMPI_MCA_X, so MCA parameters go in as OMPI_MCA_...).
#   - NAME: a letter or '_', then letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*); once a line.
#   - VALUE: any characters but white space, possibly none (NAME= sets it empty). There is no
#     quoting: quotes, backslashes, '$', '*' and '#' inside a value are taken literally (nothing
#     is expanded or globbed), so a value cannot hold a space.
#   - A line that is blank or whose first word starts with '#' is skipped; a word starting with
#     '#' after settings begins a comment that runs to the end of the line.
# Configuration i (from 0, counting only configuration lines) is array task i in Slurm and
# cfg-i-... in gpuxfer-report sweep. A bad line is one error line, FILE:LINE: what is wrong
# (after "$GX_CFG_WHO: " where the caller sets GX_CFG_WHO, its own name).

# gx_config_parse LINE WHERE: splits one line into GX_CFG (array of NAME=VALUE; empty for a
# blank or comment line). Returns 0, or 2 after one error line on stderr starting with WHERE.
gx_config_parse() {
    local line=$1 where=$2 word name seen=" "
    local -a words
    GX_CFG=()
    read -r -a words <<<"$line"
    for word in "${words[@]}"; do
        case $word in \#*) break ;; esac
        name=${word%%=*}
        if [ "$name" = "$word" ] || ! [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
            echo "${GX_CFG_WHO:+$GX_CFG_WHO: }$where: '$word' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" >&2
            return 2
        fi
        case $seen in *" $name "*)
            echo "${GX_CFG_WHO:+$GX_CFG_WHO: }$where: $name is set twice on the line" >&2
            return 2 ;;
        esac
        seen="$seen$name "
        GX_CFG+=("$word")
    done
    return 0
}

# gx_config_read FILE: every configuration line of FILE, checked; sets GX_CFG_LINES (the
# lines, in order) and GX_CFG_LINENO (their line numbers in FILE). Returns 2 on the first bad
# line or an unreadable file (one error line), 0 otherwise (also when there is none).
gx_config_read() {
    local file=$1 line i=0
    GX_CFG_LINES=() GX_CFG_LINENO=()
    if [ ! -r "$file" ] || [ -d "$file" ]; then
        echo "${GX_CFG_WHO:+$GX_CFG_WHO: }$file: cannot read the sweep file" >&2
        return 2
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        i=$((i + 1))
        gx_config_parse "$line" "$file:$i" || return 2
        [ ${#GX_CFG[@]} -gt 0 ] || continue
        GX_CFG_LINES+=("$line") GX_CFG_LINENO+=("$i")
    done <"$file"
    return 0
}

# gx_config_tag SEP: a file-name label for GX_CFG: NAME SEP VALUE per setting, joined by '_',
# characters other than A-Za-z0-9_.=- replaced by '_', at most 80 characters.
gx_config_tag() {
    local kv tag=""
    for kv in "${GX_CFG[@]}"; do tag="$tag${tag:+_}${kv%%=*}$1${kv#*=}"; done
    printf '%s' "$tag" | tr -c 'A-Za-z0-9_.=-' '_' | cut -c1-80
}

# gx_config_export: puts GX_CFG's settings into the environment.
gx_config_export() {
    local kv
    for kv in "${GX_CFG[@]}"; do export "${kv?}"; done
}
