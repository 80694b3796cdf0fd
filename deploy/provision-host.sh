#!/usr/bin/env bash
# Prepares what one dealership's line (deploy/compose.host.yaml) needs outside the containers, from its env file:
#   - the RabbitMQ vhost named in AMQP_URI, with the URI's user allowed on it (rabbitmqctl, on the broker's host);
#   - the seven databases <DATABASE_PREFIX><service> owned by POSTGRES_URL's user (psql as PG_ADMIN_URL);
#   - the secrets in SECRETS_DIR, when absent: order_signing_key (Ed25519, openssl) and session_secret, owned by
#     the image's user (uid 10001), mode 0600. Existing secrets are kept: they are the dealership's keys.
# With --drop it deletes the vhost and the databases (never the secrets).
#
#   deploy/provision-host.sh deploy/dealers/<dealer>.env [--drop]
set -euo pipefail
ENV_FILE="${1:?usage: provision-host.sh <env file> [--drop]}"
ACTION="${2:-create}"
ENV_FILE="$(realpath "$ENV_FILE")"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
cd "$(dirname "$0")"   # compose resolves a relative SECRETS_DIR against deploy/, where the compose files are
: "${AMQP_URI:?}" "${POSTGRES_URL:?}" "${DATABASE_PREFIX:?}" "${SECRETS_DIR:?}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
SERVICES="staff booking reception workshop parts billing followup"

read -r AMQP_USER VHOST PG_USER < <(python3 - "$AMQP_URI" "$POSTGRES_URL" <<'PY'
import sys
from urllib.parse import unquote, urlsplit
amqp, pg = urlsplit(sys.argv[1]), urlsplit(sys.argv[2])
print(amqp.username or "guest", unquote(amqp.path[1:]) or "/", pg.username or "postgres")
PY
)
psql_admin() { psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }

# rabbitmqctl's own time limit: a broker that cannot start or stop a vhost makes this fail instead of hanging.
rabbitmqctl() { command rabbitmqctl --timeout 120 -q "$@"; }

if [ "$ACTION" = --drop ]; then
  if grep -qxF "$VHOST" <<<"$(rabbitmqctl list_vhosts)"; then
    rabbitmqctl delete_vhost "$VHOST" >/dev/null || echo "vhost $VHOST not deleted: rabbitmqctl delete_vhost '$VHOST'" >&2
  fi
  for service in $SERVICES; do
    psql_admin -c "DROP DATABASE IF EXISTS \"${DATABASE_PREFIX}${service}\" WITH (FORCE)"
  done
  echo "dropped vhost $VHOST and databases ${DATABASE_PREFIX}*"
  exit 0
fi

if ! grep -qxF "$VHOST" <<<"$(rabbitmqctl list_vhosts)"; then
  rabbitmqctl add_vhost "$VHOST" >/dev/null
fi
rabbitmqctl set_permissions -p "$VHOST" "$AMQP_USER" '.*' '.*' '.*' >/dev/null
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != 1 ]; then
  psql_admin -c "CREATE ROLE \"$PG_USER\" LOGIN"
  echo "created role $PG_USER without a password: set one (ALTER ROLE) unless pg_hba trusts it"
fi
for service in $SERVICES; do
  db="${DATABASE_PREFIX}${service}"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$PG_USER\""
  fi
done

mkdir -p "$SECRETS_DIR"
chmod 0700 "$SECRETS_DIR"
if [ ! -s "$SECRETS_DIR/order_signing_key" ]; then
  openssl genpkey -algorithm ed25519 -out "$SECRETS_DIR/order_signing_key"
fi
if [ ! -s "$SECRETS_DIR/session_secret" ]; then
  openssl rand -base64 48 | tr -d '\n' > "$SECRETS_DIR/session_secret"
fi
chmod 0600 "$SECRETS_DIR/order_signing_key" "$SECRETS_DIR/session_secret"
chown 10001:10001 "$SECRETS_DIR/order_signing_key" "$SECRETS_DIR/session_secret"
echo "vhost $VHOST, databases ${DATABASE_PREFIX}{${SERVICES// /,}}, secrets in $SECRETS_DIR: ready"
