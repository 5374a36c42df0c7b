#!/usr/bin/env bash
# Score benchmark on this machine, loopback only:
#
#   1. seed: `qrfeedback seed-demo` loads VENUES venues and RATINGS ratings
#      (default 10,000 / 1,000,000) into a fresh database with bulk COPY;
#   2. recompute: `qrfeedback recompute --full` scores every venue, category
#      and region from the whole history and grades every tier, then
#      `qrfeedback recompute` does it again from the sums the first one
#      stored (target: under 10 s), both timed;
#   3. rankings: wrk GETs /api/v1/rankings for random regions, categories
#      and pages against `qrfeedback serve` (target: p50 < 20 ms, p99 < 100 ms);
#   4. a venue's score JSON, its public page `/v/{id}` and the rating page
#      `/r/{code}`, each for a random venue on every request (targets: p99
#      < 50 ms; the venue page at least a quarter of the rating page's rate);
#   5. reconcile: `qrfeedback reconcile --dry-run` recounts every aggregate.
#
# Prints the figures; leaves Postgres and Redis running. Raw outputs are in
# .local/bench-scores/. Sizes: BENCH_VENUES, BENCH_RATINGS.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

VENUES="${BENCH_VENUES:-10000}"
RATINGS="${BENCH_RATINGS:-1000000}"
SERVE_ADDR=127.0.0.1:18082
BASE_URL="http://$SERVE_ADDR"
BENCH_DB=qrf_bench_scores
THREADS=2
CLIENTS=16
RANKING_SECONDS=20
VENUE_SECONDS=20
WORK="$QRF_ROOT/.local/bench-scores"

export ADMIN_TOKEN="${ADMIN_TOKEN:-bench-$(qrf_random_hex 18)}"
export SECRET_KEY="${SECRET_KEY:-$(qrf_random_hex 32)}"
export REDIS_KEY_PREFIX=qrf_bench_scores

trap stop_servers EXIT

# timed LOG COMMAND...: runs it, shows and keeps its output in LOG, and leaves the elapsed
# wall-clock seconds in $elapsed.
timed() {
    local log="$1"
    shift
    local started
    started="$(date +%s.%N)"
    "$@" 2>&1 | tee "$log"
    elapsed="$(echo "$(date +%s.%N) - $started" | bc)"
}

qrf_ensure_packages wrk:wrk curl:curl bc:bc redis-cli:redis-tools "$PG_BIN/psql:postgresql-15"
mkdir -p "$WORK"
started_at=$SECONDS

step "build (release)"
SQLX_OFFLINE=true cargo build --release --locked --bins

step "services, fresh database $BENCH_DB"
deploy/services.sh start
eval "$(deploy/services.sh env)"
server_url="${DATABASE_URL%/*}"
psql_at "$server_url/postgres" -c "drop database if exists $BENCH_DB with (force)" \
    -c "create database $BENCH_DB"
export DATABASE_URL="$server_url/$BENCH_DB"
target/release/qrfeedback migrate >"$WORK/migrate.log" 2>&1 ||
    { cat "$WORK/migrate.log" >&2; qrf_die "migrate failed"; }
# Live counters of an earlier run would count as differences below.
redis-cli -u "$REDIS_URL" --scan --pattern "$REDIS_KEY_PREFIX:*" |
    xargs -r redis-cli -u "$REDIS_URL" del >/dev/null

step "seed $VENUES venues, $RATINGS ratings"
timed "$WORK/seed.txt" target/release/qrfeedback seed-demo --venues "$VENUES" --ratings "$RATINGS"
seed_s="$elapsed"
read -r venue_count rating_count day_rows < <(psql_at "$DATABASE_URL" -tA -F ' ' -c \
    "select (select count(*) from venues), (select count(*) from ratings), (select count(*) from venue_day_stats)")

step "recompute --full (every venue's whole history)"
timed "$WORK/recompute_full.txt" target/release/qrfeedback recompute --full
recompute_full_s="$elapsed"
scored="$(psql_at "$DATABASE_URL" -tA -c "select count(*) from venue_scores")"
[[ "$scored" == "$venue_count" ]] || qrf_die "recompute scored $scored of $venue_count venues"

step "recompute (each venue's stored sums carried forward)"
timed "$WORK/recompute.txt" target/release/qrfeedback recompute
recompute_s="$elapsed"

step "rankings: wrk GET /api/v1/rankings, $CLIENTS connections, ${RANKING_SECONDS}s"
psql_at "$DATABASE_URL" -tA -c "select code from regions order by code" >"$WORK/regions.txt"
require_port_free "$SERVE_ADDR"
BIND_ADDR="$SERVE_ADDR" PUBLIC_BASE_URL="$BASE_URL" RUST_LOG=warn \
    target/release/qrfeedback serve >"$WORK/serve.log" 2>&1 &
server_pids+=("$!")
wait_http_ok "$BASE_URL/readyz" "$!" "$WORK/serve.log"
curl -sS --max-time 10 "$BASE_URL/api/v1/rankings?region=650000" | head -c 300
echo
run_wrk "$WORK/rankings.txt" -t"$THREADS" -c"$CLIENTS" -d"${RANKING_SECONDS}s" --latency \
    -s deploy/load/rankings.lua "$BASE_URL" -- "$WORK/regions.txt"

psql_at "$DATABASE_URL" -tA -c "select id from venues order by id" >"$WORK/venue_ids.txt"
psql_at "$DATABASE_URL" -tA -c "select code from venue_codes where replaced_at is null" >"$WORK/venue_codes.txt"
step "score JSON: wrk GET /api/v1/venues/{id}/score, random venues, ${VENUE_SECONDS}s"
run_wrk "$WORK/score.txt" -t"$THREADS" -c"$CLIENTS" -d"${VENUE_SECONDS}s" --latency \
    -s deploy/load/random_paths.lua "$BASE_URL" -- "$WORK/venue_ids.txt" /api/v1/venues/ /score
step "venue page: wrk GET /v/{id}, random venues, ${VENUE_SECONDS}s"
run_wrk "$WORK/venue_page.txt" -t"$THREADS" -c"$CLIENTS" -d"${VENUE_SECONDS}s" --latency \
    -s deploy/load/random_paths.lua "$BASE_URL" -- "$WORK/venue_ids.txt" /v/
step "rating page: wrk GET /r/{code}, random venues, ${VENUE_SECONDS}s"
run_wrk "$WORK/rating_page.txt" -t"$THREADS" -c"$CLIENTS" -d"${VENUE_SECONDS}s" --latency \
    -s deploy/load/random_paths.lua "$BASE_URL" -- "$WORK/venue_codes.txt" /r/
stop_servers
# errors FILE: the HTTP and socket errors of one wrk run.
errors() { echo $(($(qrf_field http_errors "$1") + $(qrf_field socket_errors "$1"))); }
ranking_errors="$(errors "$WORK/rankings.txt")"

step "reconcile --dry-run (recount of every aggregate)"
timed "$WORK/reconcile.txt" target/release/qrfeedback reconcile --dry-run
reconcile_s="$elapsed"

step "summary ($((SECONDS - started_at)) s; raw output in ${WORK#"$QRF_ROOT"/})"
printf 'data: %d venues, %d ratings, %d venue-day aggregates\n' "$venue_count" "$rating_count" "$day_rows"
printf 'seed-demo: %.1f s\n' "$seed_s"
printf 'recompute --full: %.1f s\n' "$recompute_full_s"
printf 'recompute: %.1f s (target < 10 s)\n' "$recompute_s"
printf 'rankings: %.0f req/s, p50 %.1f ms, p99 %.1f ms (targets 20 / 100 ms), errors %d\n' \
    "$(qrf_field rps "$WORK/rankings.txt")" "$(qrf_field p50_ms "$WORK/rankings.txt")" \
    "$(qrf_field p99_ms "$WORK/rankings.txt")" "$ranking_errors"
# line NAME FILE: one wrk run's figures.
line() {
    printf '%s: %.0f req/s, p50 %.1f ms, p99 %.1f ms, errors %d\n' "$1" \
        "$(qrf_field rps "$2")" "$(qrf_field p50_ms "$2")" "$(qrf_field p99_ms "$2")" "$(errors "$2")"
}
line "score JSON, random venues (target p99 < 50 ms)" "$WORK/score.txt"
line "venue page /v/{id}, random venues (target p99 < 50 ms)" "$WORK/venue_page.txt"
line "rating page /r/{code}, random venues" "$WORK/rating_page.txt"
printf 'venue page / rating page: %.1f%% (target >= 25%%)\n' \
    "$(echo "100 * $(qrf_field rps "$WORK/venue_page.txt") / $(qrf_field rps "$WORK/rating_page.txt")" | bc -l)"
printf 'reconcile (dry run, full recount): %.1f s; %s\n' "$reconcile_s" "$(tail -n 1 "$WORK/reconcile.txt")"
((ranking_errors == 0)) || qrf_die "rankings answered with errors"
for run in score venue_page rating_page; do
    (($(errors "$WORK/$run.txt") == 0)) || qrf_die "$run answered with errors"
done
