#!/usr/bin/env bash
# Refresh kit/static/vendor from the npm registry (versions pinned in kit/static/package.json).
# The files are committed: a dealership keeps working when its internet line is down.
set -euo pipefail
cd "$(dirname "$0")/../kit/static"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
cp "$work/node_modules/htmx.org/dist/htmx.min.js" vendor/htmx.min.js
cp "$work/node_modules/htmx.org/LICENSE" vendor/htmx.LICENSE
cp "$work/node_modules/signature_pad/dist/signature_pad.umd.min.js" vendor/signature_pad.umd.min.js
cp "$work/node_modules/signature_pad/LICENSE" vendor/signature_pad.LICENSE
cp "$work/package-lock.json" package-lock.json
ls -l vendor
