#!/usr/bin/env bash
# Runs qrfeedback with demo data on http://127.0.0.1:8080 (by default):
# starts Postgres and Redis, builds the release binary, migrates, seeds the
# demo venues and ratings, then becomes the server (Ctrl-C stops it).
# Migrating and seeding run as the database owner (DATABASE_URL); the server
# runs as the application role (APP_DATABASE_URL), which cannot change the
# schema or the append-only logs.
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$QRF_ROOT"

deploy/services.sh start
eval "$(deploy/services.sh env)"

export SQLX_OFFLINE=true
cargo build --release --locked

# Demo defaults; anything already set in the environment wins.
export BIND_ADDR="${BIND_ADDR:-127.0.0.1:8080}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${BIND_ADDR##*:}}"
export ADMIN_TOKEN="${ADMIN_TOKEN:-demo-admin-token}"
export SECRET_KEY="${SECRET_KEY:-demo-secret-key-change-me-0123456789abcdef}"
export RUST_LOG="${RUST_LOG:-info}"
# The imprint under the public pages and on the posters: plainly marked demo
# values, never a real body's name or filing number.
export QRF_SERVICE_NAME="${QRF_SERVICE_NAME:-游客服务评价（演示站）}"
export QRF_OPERATOR="${QRF_OPERATOR:-示例文化和旅游局（演示）}"
export QRF_ICP_FILING="${QRF_ICP_FILING:-演示ICP备00000000号-1}"
export QRF_PSB_FILING="${QRF_PSB_FILING:-演示公网安备00000000000000号}"
export QRF_POSTER_ISSUER="${QRF_POSTER_ISSUER:-示例文化和旅游局（演示）}"
if [[ "$ADMIN_TOKEN" == demo-admin-token || "$SECRET_KEY" == demo-secret-key-* ]]; then
    qrf_say "using demo ADMIN_TOKEN/SECRET_KEY: for local use only, never in production"
fi

target/release/qrfeedback migrate
target/release/qrfeedback seed-demo
# --demo: the demo's sign-in accounts, with new passwords on every start.
accounts="$(target/release/qrfeedback --demo seed-demo --accounts)"
cat <<HOWTO

How to look around (demo only: the demo secrets, accounts and codes need --demo)
  public pages:   $PUBLIC_BASE_URL/   $PUBLIC_BASE_URL/rankings   $PUBLIC_BASE_URL/about/scores
  API docs:       $PUBLIC_BASE_URL/docs   (bearer token: $ADMIN_TOKEN)
  staff pages:    $PUBLIC_BASE_URL/login, then /console (admin, regulators) or /dashboard (venue staff)
$accounts
  The second factor: add an authenticator key to an app, or print the current code:
    ADMIN_TOKEN='$ADMIN_TOKEN' SECRET_KEY='$SECRET_KEY' DATABASE_URL='$DATABASE_URL' \\
      target/release/qrfeedback --demo totp-code --login LOGIN

HOWTO
qrf_say "serving on http://$BIND_ADDR (public base $PUBLIC_BASE_URL)"
# --demo: serve accepts the published demo ADMIN_TOKEN/SECRET_KEY above.
DATABASE_URL="$APP_DATABASE_URL" exec target/release/qrfeedback serve --demo
