#!/usr/bin/env bash
# .ci/run's container stage: build the line's image, start two dealerships' lines from it beside each other on
# this host's RabbitMQ and PostgreSQL (host networking), run one whole visit through the containers' HTTP APIs,
# check every /healthz and every container's health check, stop and remove everything (tests/deploy/test_stack.py).
#
# Installs what it needs when it can (root with apt): podman, runc, debootstrap and podman-compose. Where no
# registry answers (this machine) the base image is Debian from debootstrap (deploy/podman/base-image.sh).
# Cached across runs, outside the clone: podman's image store (/var/lib/containers: the base image and the build's
# layers), podman-compose's virtualenv and pip's wheel cache under CACHE_DIR (/var/cache/aftersales-ci).
# Where no container engine can be had it prints one line saying so and succeeds.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_DIR="${CACHE_DIR:-/var/cache/aftersales-ci}"
BASE_IMAGE="${BASE_IMAGE:-localhost/debian:bookworm}"
IMAGE="${IMAGE:-localhost/aftersales:latest}"
PACKAGES="podman buildah debootstrap uidmap slirp4netns fuse-overlayfs runc"
export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"

skip() {
  echo "container stage skipped: $*"
  exit 0
}

missing=""
for package in $PACKAGES; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    command -v podman >/dev/null || skip "no podman here, and installing it needs root and apt (missing:$missing)"
  else
    echo "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null; } \
      || skip "could not install$missing with apt"
  fi
fi
podman info >/dev/null 2>&1 || skip "podman cannot run containers here: $(podman info 2>&1 | tail -1)"

COMPOSE="$CACHE_DIR/podman-compose/bin/podman-compose"
if ! "$COMPOSE" --version >/dev/null 2>&1; then
  echo "installing podman-compose into $CACHE_DIR/podman-compose"
  rm -rf "$CACHE_DIR/podman-compose"
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$CACHE_DIR/podman-compose"
  # 1.6: Debian's 1.0.3 silently fails with host networking
  "$CACHE_DIR/podman-compose/bin/pip" install -q 'podman-compose>=1.6,<1.7'
fi

if ! podman image exists "$BASE_IMAGE"; then
  if [ "$BASE_IMAGE" = localhost/debian:bookworm ]; then
    echo "making the base image $BASE_IMAGE with debootstrap"
    deploy/podman/base-image.sh "$BASE_IMAGE"
  else
    podman pull -q "$BASE_IMAGE" >/dev/null
  fi
fi

mkdir -p var
started=$(date +%s)
make --no-print-directory image ENGINE=podman IMAGE="$IMAGE" BASE_IMAGE="$BASE_IMAGE" >var/image-build.log 2>&1 \
  || { tail -40 var/image-build.log; exit 1; }
rm -f var/image-build.log
echo "image $IMAGE built in $(($(date +%s) - started)) s"
# Earlier builds' images and stages, once a day old (the newest layers stay for the next build's cache).
podman image prune -f --filter until=24h >/dev/null 2>&1 || true

# This run's containers, vhosts and databases are named after RUN. The test removes them; should it be killed
# first (CI's timeout), this trap removes the containers and databases. Not the vhosts: deleting one while the
# test's own deletion still runs can wedge the broker, so a killed run names them instead.
RUN="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
PG_ADMIN_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
PG_ADMIN_URL="${PG_ADMIN_URL/+psycopg2/}"
cleanup() {
  podman ps -aq --filter name="^aftersales-ci-$RUN-" | xargs -r podman rm -f -t 5 >/dev/null 2>&1 || true
  for dealer in a b; do
    for service in staff booking reception workshop parts billing followup; do
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS ci_${RUN}_${dealer}_$service WITH (FORCE)" >/dev/null 2>&1 || true
    done
  done
  if rabbitmqctl --timeout 60 -q list_vhosts 2>/dev/null | grep -q "^ci-$RUN-"; then
    echo "left on the broker: vhosts ci-$RUN-a, ci-$RUN-b (rabbitmqctl delete_vhost <name>)"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
STACK_RUN="$RUN" STACK_COMPOSE="$COMPOSE" STACK_ENGINE=podman STACK_IMAGE="$IMAGE" .venv/bin/python -m pytest tests/deploy -q
.venv/bin/python - <<'PY'
import json
f = json.load(open("var/deploy/figures.json"))
print(
    f"figures: image {f['image_mb']} MB; up to all seven healthy {f['first_up_to_healthy_s']} s "
    f"(first start: migrations and seed), second dealership beside it {f['second_up_to_healthy_s']} s"
)
PY
left=$(podman ps -a --format '{{.Names}}' --filter name="^aftersales-ci-$RUN-" | wc -l)
[ "$left" = 0 ] || { echo "containers left running: $left"; exit 1; }
