#!/usr/bin/env bash
# Where no registry answers: a Debian bookworm base image made from Debian's own packages (debootstrap, minbase)
# and imported into podman as localhost/debian:bookworm, for `make image BASE_IMAGE=localhost/debian:bookworm`.
# Uses the mirror apt already uses; needs root, debootstrap and podman. About 30 s and 90 MB.
set -euo pipefail
IMAGE="${1:-localhost/debian:bookworm}"
MIRROR="${DEBIAN_MIRROR:-$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1 | tr -d ' ' || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOTFS="$(mktemp -d /var/tmp/aftersales-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=ca-certificates bookworm "$ROOTFS" "$MIRROR" >/dev/null
# Like Debian's slim images: no documentation or program translations, now or from later apt installs.
cat > "$ROOTFS/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
rm -rf "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/cache/apt/archives/*.deb \
    "$ROOTFS"/var/lib/apt/lists/*
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
tar -C "$ROOTFS" -c . | podman import --quiet - "$IMAGE" >/dev/null
echo "$IMAGE: $(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}') from $MIRROR"
