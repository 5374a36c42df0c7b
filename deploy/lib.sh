# Shared helpers for the scripts in deploy/. Source it; do not run it.
# shellcheck shell=bash

# The project root: the folder that holds deploy/.
QRF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QRF_ROOT

# Prints a message prefixed with the calling script's name, on stderr.
qrf_say() {
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

qrf_die() {
    qrf_say "error: $*"
    exit 1
}

# qrf_ensure_packages COMMAND:PACKAGE ...
# Installs, with apt-get, each PACKAGE whose COMMAND (a name on PATH or an
# absolute path) is missing. `apt-get update` runs at most once, and only when
# something is missing; QRF_APT_UPDATED tells child scripts it already ran.
qrf_ensure_packages() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd="${pair%%:*}"
        pkg="${pair#*:}"
        if [[ "$cmd" == /* ]]; then
            [[ -x "$cmd" ]] && continue
        else
            command -v "$cmd" >/dev/null 2>&1 && continue
        fi
        [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    if ((EUID != 0)); then
        qrf_die "missing packages: ${missing[*]} (install them, or run as root)"
    fi
    qrf_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ "${QRF_APT_UPDATED:-}" != 1 ]]; then
        apt-get update -qq </dev/null >/dev/null
        export QRF_APT_UPDATED=1
    fi
    apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
}
