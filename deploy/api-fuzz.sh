#!/usr/bin/env bash
# Property-based attack on the whole JSON API: schemathesis reads
# /openapi.json of a real `qrfeedback serve` and sends generated requests,
# valid and invalid, to every documented operation, once anonymously and
# once with each role's bearer token (venue staff, regulator, admin; least
# powerful first, so a run that revokes tokens only touches finished ones).
#
# Every response must not be a 5xx (`not_a_server_error`), every 4xx/5xx
# must be `application/problem+json` (`problem_json_errors`, in
# deploy/api-fuzz/hooks.py), and a documented path called with a method it
# does not take must be answered 405 (`unsupported_method`).
#
# The server runs against a fresh database (QRF_API_FUZZ_DB, default
# qrf_api_fuzz; dropped at the start and at the end) seeded with a few venues
# and ratings, so real ids exist. Postgres and Redis come from DATABASE_URL /
# REDIS_URL when set, else from deploy/services.sh. Schemathesis is installed,
# pinned, into .local/schemathesis the first time.
#
#   API_FUZZ_EXAMPLES   generated cases per operation and phase (default 25)
#   API_FUZZ_EXTRA_CHECKS more schemathesis checks, comma-separated (e.g.
#                       status_code_conformance,negative_data_rejection), to explore
#   API_FUZZ_SEED       schemathesis's seed (default 1, so runs repeat; any number explores anew)
#   API_FUZZ_PORT       the server's port (default 18090)
#   API_FUZZ_BIN        the qrfeedback binary to serve (default: target/debug, built first)
#
# Prints one line per caller and a summary; exits non-zero on any failure.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${API_FUZZ_EXAMPLES:-25}"
[[ "$EXAMPLES" =~ ^[1-9][0-9]{0,4}$ ]] || qrf_die "API_FUZZ_EXAMPLES must be 1-99999"
CHECKS="not_a_server_error,problem_json_errors,unsupported_method${API_FUZZ_EXTRA_CHECKS:+,$API_FUZZ_EXTRA_CHECKS}"
[[ "$CHECKS" =~ ^[a-z_,]+$ ]] || qrf_die "API_FUZZ_EXTRA_CHECKS must be check names separated by commas"
SEED="${API_FUZZ_SEED:-1}"
[[ "$SEED" =~ ^[0-9]{1,18}$ ]] || qrf_die "API_FUZZ_SEED must be a number"
PORT="${API_FUZZ_PORT:-18090}"
[[ "$PORT" =~ ^[1-9][0-9]{0,4}$ ]] || qrf_die "API_FUZZ_PORT must be a port number"
FUZZ_DB="${QRF_API_FUZZ_DB:-qrf_api_fuzz}"
[[ "$FUZZ_DB" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || qrf_die "QRF_API_FUZZ_DB must be a plain lower-case name"
ADDR="127.0.0.1:$PORT"
BASE_URL="http://$ADDR"
WORK="$QRF_ROOT/.local/api-fuzz"
VENV="$QRF_ROOT/.local/schemathesis"
SERVE_BIN="${API_FUZZ_BIN:-target/debug/qrfeedback}"

export ADMIN_TOKEN="api-fuzz-admin-token-$RANDOM$RANDOM"
export SECRET_KEY="api-fuzz-secret-key-0123456789abcdef0123456789"

qrf_ensure_packages curl:curl jq:jq python3:python3 "$PG_BIN/psql:postgresql-15"
mkdir -p "$WORK"
started_at=$SECONDS

step "schemathesis $SCHEMATHESIS_VERSION in ${VENV#"$QRF_ROOT"/}"
if [[ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]]; then
    # Debian's python3 makes virtual environments only with python3-venv.
    python3 -c 'import ensurepip' 2>/dev/null ||
        qrf_ensure_packages /usr/share/doc/python3-venv:python3-venv
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$VENV/bin/st" --version

if [[ -z "${API_FUZZ_BIN:-}" ]]; then
    step "build"
    # Every target, as `cargo test` builds them: the binary alone would be
    # built again with other dependency features.
    SQLX_OFFLINE=true cargo build --locked --all-targets
fi

if [[ -z "${DATABASE_URL:-}" ]]; then
    deploy/services.sh start
    eval "$(deploy/services.sh env)"
fi
server_url="${DATABASE_URL%/*}"
owner_url="$server_url/$FUZZ_DB"
# The server runs as the application role, as `serve` does in production.
app_url="${APP_DATABASE_URL:-$DATABASE_URL}"
app_url="${app_url%/*}/$FUZZ_DB"

drop_database() {
    psql_at "$server_url/postgres" -c "drop database if exists $FUZZ_DB with (force)"
}
finish() {
    stop_servers
    drop_database || true
}
trap finish EXIT

step "fresh database $FUZZ_DB, seeded; server on $ADDR"
drop_database
psql_at "$server_url/postgres" -c "create database $FUZZ_DB"
export DATABASE_URL="$owner_url"
{
    "$SERVE_BIN" migrate &&
        "$SERVE_BIN" seed-demo --venues 8 --ratings 400 &&
        "$SERVE_BIN" recompute
} >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; qrf_die "seeding failed"; }

require_port_free "$ADDR"
DATABASE_URL="$app_url" REDIS_KEY_PREFIX="qrf_api_fuzz_$$" RATE_LIMIT_PER_MINUTE=0 \
    BIND_ADDR="$ADDR" PUBLIC_BASE_URL="$BASE_URL" HTTP_WORKERS=2 RUST_LOG=warn \
    "$SERVE_BIN" serve >"$WORK/serve.log" 2>&1 &
server_pids+=("$!")
wait_http_ok "$BASE_URL/readyz" "$!" "$WORK/serve.log"

# The province of the first seeded venue, and the first two venues.
read -r venue_a venue_b < <(psql_at "$owner_url" -tA -F ' ' -c \
    "select min(id), max(id) from (select id from venues order by id limit 2) v")
[[ -n "$venue_a" ]] || qrf_die "the seed made no venues"
region="$(psql_at "$owner_url" -tA -c \
    "with recursive up as (
         select r.code, r.parent_code, r.level from regions r
         join venues v on v.region_code = r.code and v.id = $venue_a
         union all
         select r.code, r.parent_code, r.level from regions r join up on r.code = up.parent_code)
     select code from up order by level = 'province' desc limit 1")"
rating_ids="$(psql_at "$owner_url" -tA -c \
    "select string_agg(id::text, ',') from (select id from ratings order by id limit 5) r")"

mint_token() {
    # mint_token BODY: the bearer secret of a new token made with the admin token.
    local answer status body
    answer="$(curl -sS --max-time 10 -w '\n%{http_code}' -X POST "$BASE_URL/api/v1/tokens" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data "$1")"
    status="${answer##*$'\n'}"
    body="${answer%$'\n'*}"
    [[ "$status" == 201 ]] || qrf_die "POST /api/v1/tokens answered $status: $body"
    jq -er '.token' <<<"$body"
}
regulator_token="$(mint_token "{\"name\":\"api fuzz regulator\",\"role\":\"regulator\",\"region_code\":\"$region\"}")"
staff_token="$(mint_token "{\"name\":\"api fuzz staff\",\"role\":\"venue_staff\",\"venue_ids\":[$venue_a,$venue_b]}")"
echo "region $region, venues $venue_a and $venue_b, ratings $rating_ids"

# Ids the hooks put into some path parameters, so cases reach real rows.
export API_FUZZ_IDS="$venue_a,$venue_b,$rating_ids"
export API_FUZZ_REGIONS="$region"
export SCHEMATHESIS_HOOKS="$QRF_ROOT/deploy/api-fuzz/hooks.py"

callers=(anonymous venue_staff regulator admin)
declare -A tokens=([venue_staff]="$staff_token" [regulator]="$regulator_token" [admin]="$ADMIN_TOKEN")
declare -A outcome=()
failed=0
for caller in "${callers[@]}"; do
    step "schemathesis as $caller, $EXAMPLES cases per operation and phase"
    auth=()
    [[ -n "${tokens[$caller]:-}" ]] && auth=(-H "Authorization: Bearer ${tokens[$caller]}")
    status=0
    # From $WORK, where schemathesis keeps its cache.
    (cd "$WORK" && "$VENV/bin/st" run "$BASE_URL/openapi.json" "${auth[@]}" \
        --checks "$CHECKS" \
        --phases examples,coverage,fuzzing \
        --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
        --request-timeout 10 --no-color --output-truncate true --suppress-health-check all \
        --generation-database none --warnings off \
        --report junit --report-junit-path "$WORK/junit-$caller.xml" \
        >"$WORK/schemathesis-$caller.txt" 2>&1) || status=$?
    cases="$(grep -A1 '^Test cases:' "$WORK/schemathesis-$caller.txt" | tail -n 1 | xargs || true)"
    if ((status == 0)); then
        outcome[$caller]="passed"
    else
        outcome[$caller]="FAILED (exit $status; see ${WORK#"$QRF_ROOT"/}/schemathesis-$caller.txt)"
        failed=1
        tail -n 60 "$WORK/schemathesis-$caller.txt"
    fi
    outcome[$caller]+=" (${cases:-no cases counted})"
    echo "$caller: ${outcome[$caller]}"
done

if grep -q 'panicked' "$WORK/serve.log"; then
    grep -m 5 'panicked' "$WORK/serve.log"
    outcome[server]="a handler panicked (see ${WORK#"$QRF_ROOT"/}/serve.log)"
    failed=1
fi

step "summary ($((SECONDS - started_at)) s)"
for caller in "${callers[@]}" server; do
    [[ -n "${outcome[$caller]:-}" ]] && echo "$caller: ${outcome[$caller]}"
done
((failed == 0)) || qrf_die "the API answered a 5xx or an error that is not problem+json"
echo "no 5xx, every error application/problem+json"
