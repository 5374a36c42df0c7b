#!/usr/bin/env bash
# Fuzzes the parsers a visitor's bytes reach first (tests/fuzz.rs: the rating
# JSON body, the rating form body, the venue code) for a given time, in
# release mode, and prints how many cases each target ran.
#
#   deploy/fuzz.sh [MINUTES]    default 10, shared equally by the five targets
#
# FUZZ_PROFILE=dev runs the unoptimised build instead (no release build of
# the whole crate needed, about ten times fewer cases per second).
# Exits non-zero if any input makes a parser panic or refuse with other than
# 400 or 422; the failing input is printed.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

MINUTES="${1:-10}"
[[ "$MINUTES" =~ ^[1-9][0-9]{0,3}$ ]] || qrf_die "MINUTES must be a whole number from 1"
PROFILE="${FUZZ_PROFILE:-release}"
case "$PROFILE" in
release) profile_args=(--release) ;;
# The profile `cargo test` uses by default, so its build is reused.
dev) profile_args=() ;;
*) qrf_die "FUZZ_PROFILE must be release or dev" ;;
esac
# tests/fuzz.rs has five targets (raw and shaped JSON, raw and shaped form
# bodies, venue codes); they run one after the other, each for its share.
TARGETS=5
per_kind=$((MINUTES * 60 / TARGETS))

WORK="$QRF_ROOT/.local/fuzz"
mkdir -p "$WORK"

step "build tests/fuzz.rs ($PROFILE)"
SQLX_OFFLINE=true cargo test --locked "${profile_args[@]}" --test fuzz --no-run

step "fuzz for $MINUTES min ($per_kind s per target)"
started_at=$SECONDS
status=0
FUZZ_SECONDS="$per_kind" SQLX_OFFLINE=true cargo test --locked "${profile_args[@]}" --test fuzz \
    -- --test-threads 1 --nocapture 2>&1 | tee "$WORK/fuzz.txt" || status=$?

step "summary ($((SECONDS - started_at)) s)"
# The test harness prints "test NAME ... " on the line of a target's first count.
grep -o 'fuzz [^:]*: [0-9]* cases' "$WORK/fuzz.txt" >"$WORK/counts.txt" || true
cat "$WORK/counts.txt"
total="$(awk '{ sum += $(NF - 1) } END { print sum + 0 }' "$WORK/counts.txt")"
echo "total: $total cases"
((status == 0)) || qrf_die "a parser panicked or refused with other than 400/422 (see ${WORK#"$QRF_ROOT"/}/fuzz.txt)"
