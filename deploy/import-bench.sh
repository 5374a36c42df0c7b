#!/usr/bin/env bash
# How long `POST /api/v1/venues/import` takes for a 5,000-row CSV on this
# machine, end to end over loopback: a fresh database, `qrfeedback serve`,
# a generated file with every column filled in, a dry run, then the real
# import; it checks that every venue and its code were stored and prints
#
#   import rows=5000 bytes=… dry_run_s=… import_s=…
#
# ROWS=N changes the number of rows (at most 10000, the per-file limit);
# PROFILE=debug measures the debug build instead of the release build.
# Stops the server it started; leaves Postgres and Redis running.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

ROWS="${ROWS:-5000}"
[[ "$ROWS" =~ ^[1-9][0-9]{0,4}$ && "$ROWS" -le 10000 ]] || { echo "ROWS must be 1-10000" >&2; exit 2; }
PROFILE="${PROFILE:-release}"
[[ "$PROFILE" =~ ^(release|debug)$ ]] || { echo "PROFILE must be release or debug" >&2; exit 2; }
SERVE_ADDR=127.0.0.1:18090
BASE_URL="http://$SERVE_ADDR"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
IMPORT_DB=qrf_import_bench
WORK="$QRF_ROOT/.local/import-bench"
export ADMIN_TOKEN="${ADMIN_TOKEN:-bench-$(qrf_random_hex 18)}"
export SECRET_KEY="${SECRET_KEY:-$(qrf_random_hex 32)}"
trap stop_servers EXIT

qrf_ensure_packages curl:curl jq:jq
mkdir -p "$WORK"

step "build ($PROFILE)"
if [[ "$PROFILE" == release ]]; then
    SQLX_OFFLINE=true cargo build --release --locked --bins
else
    SQLX_OFFLINE=true cargo build --locked --bins
fi
BIN="$TARGET_DIR/$PROFILE/qrfeedback"

step "services, fresh database $IMPORT_DB, server on $SERVE_ADDR"
deploy/services.sh start
eval "$(deploy/services.sh env)"
server_url="${DATABASE_URL%/*}"
psql_at "$server_url/postgres" -c "drop database if exists $IMPORT_DB with (force)" \
    -c "create database $IMPORT_DB"
export DATABASE_URL="$server_url/$IMPORT_DB"
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; qrf_die "migrate failed"; }
require_port_free "$SERVE_ADDR"
BIND_ADDR="$SERVE_ADDR" PUBLIC_BASE_URL="$BASE_URL" RUST_LOG=warn "$BIN" serve >"$WORK/serve.log" 2>&1 &
server_pids+=("$!")
wait_http_ok "$BASE_URL/readyz" "$!" "$WORK/serve.log"

step "a $ROWS-row CSV with every column"
file="$WORK/venues.csv"
# Credit codes with valid check characters (GB 32100-2015); rows repeat them.
awk -v rows="$ROWS" 'BEGIN {
    split("652801 652822 652823 652301", regions, " ")
    split("hotel restaurant scenic_area shop homestay", categories, " ")
    split("government state_owned private individual", units, " ")
    split("91652801MA77X12344 92652801MA78Y0001C 12652800MB1234567L", codes, " ")
    print "name,region_code,category,address,unit_type,person_in_charge,phone,staff_count,founded_on,credit_code"
    for (i = 1; i <= rows; i++) {
        printf "导入场所 %d,%s,%s,人民路 %d 号,%s,负责人 %d,0996-%07d,%d,%04d-%02d-%02d,%s\n",
            i, regions[i % 4 + 1], categories[i % 5 + 1], i, units[i % 4 + 1], i, i, i % 500,
            1990 + i % 30, i % 12 + 1, i % 28 + 1, codes[i % 3 + 1]
    }
}' >"$file"
bytes=$(wc -c <"$file")
echo "$file: $ROWS rows, $bytes bytes"

# import DRY_RUN: prints the seconds the request took; the answer goes to $WORK.
import() {
    local answer="$WORK/answer-$1.json" status seconds
    read -r status seconds < <(curl -sS --max-time 60 -o "$answer" -w '%{http_code} %{time_total}\n' \
        -X POST "$BASE_URL/api/v1/venues/import?dry_run=$1" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: text/csv' --data-binary "@$file")
    [[ "$status" == 200 ]] || qrf_die "import answered $status: $(head -c 500 "$answer")"
    [[ "$(jq '.errors | length' "$answer")" == 0 ]] || qrf_die "rows refused: $(jq -c '.errors[:5]' "$answer")"
    echo "$seconds"
}

step "dry run"
dry_run_s=$(import true)
echo "checked $ROWS rows in $dry_run_s s"

step "import"
import_s=$(import false)
imported=$(jq '.imported' "$WORK/answer-false.json")
echo "imported $imported venues in $import_s s"

step "check: every venue stored with its code"
counts="$(psql_at "$DATABASE_URL" -tA -F ' ' -c \
    "select (select count(*) from venues), (select count(*) from code_venues),
            (select count(*) from audit_log where action = 'venue.import')")"
read -r venues codes audited <<<"$counts"
[[ "$imported" == "$ROWS" && "$venues" == "$ROWS" && "$codes" == "$ROWS" && "$audited" == "$ROWS" ]] ||
    qrf_die "expected $ROWS: imported $imported, venues $venues, codes $codes, audit rows $audited"
echo "venues $venues, codes $codes, audit rows $audited: OK"

echo
echo "import rows=$ROWS bytes=$bytes profile=$PROFILE dry_run_s=$dry_run_s import_s=$import_s"
