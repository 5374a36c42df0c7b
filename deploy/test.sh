#!/usr/bin/env bash
# The project's test command: lint, then every test against a real Postgres
# and Redis (started by deploy/services.sh and left running for the next run).
# Exits non-zero if formatting, clippy or any test fails.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

# The browser test drives Chromium through ChromeDriver; the pages are
# Chinese first and also Uyghur, so the browser needs a CJK font and an
# Arabic-script font with the Uyghur letters to draw them (and the
# screenshots it saves) as a visitor's phone would.
qrf_ensure_packages chromium:chromium chromedriver:chromium-driver \
    /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk \
    /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf:fonts-noto-core
# tests/api/balancer.rs puts two instances of the built binary behind haproxy;
# deploy/api-fuzz.sh needs the rest. All are installed here, before the Citus
# build below starts apt-get in the background, so two never run at once.
qrf_ensure_packages haproxy:haproxy curl:curl jq:jq python3:python3 \
    /usr/share/doc/python3-venv:python3-venv
export CHROME_BIN="${CHROME_BIN:-$(command -v chromium)}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

# The API suite runs a second time on a Citus cluster built from the source
# tarball CITUS_SOURCE names (once per version; see deploy/citus.sh).
if [[ -z "${CITUS_SOURCE:-}" && ! -f "$(pg_config --pkglibdir 2>/dev/null)/citus.so" ]]; then
    qrf_die "set CITUS_SOURCE to a Citus 13 source tarball: the suite runs on a cluster too"
fi

deploy/services.sh start
deploy/redis-cluster.sh start
# Citus takes minutes to compile, and only the cluster pass at the end needs
# it: it builds at the lowest priority while the Rust builds and the tests
# below leave a core idle, and the cluster pass waits for it.
citus_log="$QRF_ROOT/.local/citus-build.log"
mkdir -p "$QRF_ROOT/.local"
nice -n 19 deploy/citus.sh build >"$citus_log" 2>&1 &
citus_build=$!
trap 'kill "$citus_build" 2>/dev/null || true' EXIT
eval "$(deploy/services.sh env)"
eval "$(deploy/redis-cluster.sh env)"
# Each test creates its own database; drop them before the run (an earlier
# run may have been cut short) and after it, so they never pile up on disk.
psql="${QRF_PG_BIN:-/usr/lib/postgresql/15/bin}/psql"
drop_test_databases() {
    local server workers="${QRF_CITUS_WORKERS:-}"
    for server in "$DATABASE_URL" ${workers//,/ }; do
        "$psql" -X -At "$server" -c "select datname from pg_database where datname like 'qrf\_test\_%'" |
            while read -r stale; do
                "$psql" -X -q "$server" -c "drop database if exists \"$stale\" with (force)"
            done
    done
}
drop_test_databases
# Builds use the committed .sqlx/ query cache, never a live database.
export SQLX_OFFLINE=true
# A clean checkout builds once: incremental state would only cost time.
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_INCREMENTAL=0
fi

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings

status=0
started=$SECONDS
cargo test --locked --all-targets --no-fail-fast || status=$?
qrf_say "every test on plain Postgres: $((SECONDS - started)) s"
# Schemathesis over every JSON operation, anonymous and with each role's token.
deploy/api-fuzz.sh || status=$?
# Doc tests exist only for a library target; cargo refuses --doc without one.
if cargo metadata --locked --no-deps --format-version 1 | grep -q '"kind":\["lib"\]'; then
    cargo test --locked --doc || status=$?
else
    qrf_say "no library target: no doc tests to run"
fi
drop_test_databases

# The HTTP integration tests again, on a coordinator and two workers: every
# statement must also run where the tables are spread by venue. The loopback
# cluster has no streaming replica, so the replica's own test says so and
# passes over; everything else but the Redis Cluster's tests runs again.
if ! wait "$citus_build"; then
    tail -n 30 "$citus_log" >&2
    qrf_die "the Citus build failed (its log: $citus_log)"
fi
cat "$citus_log"
deploy/citus.sh start
(
    eval "$(deploy/citus.sh env)"
    unset QRF_REPLICA_URL
    drop_test_databases
    started=$SECONDS
    cluster_status=0
    # The Redis Cluster's own tests ran above; Postgres is all that differs here.
    cargo test --locked --test api --no-fail-fast -- --skip redis_cluster:: || cluster_status=$?
    qrf_say "the API suite on the Citus cluster: $((SECONDS - started)) s"
    drop_test_databases
    exit "$cluster_status"
) || status=$?
exit "$status"
