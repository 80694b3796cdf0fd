#!/usr/bin/env bash
# Before the tests: the system packages they need outside Python. Chromium (browser tests), the Chinese font
# fonts-wqy-microhei (pages and PDFs), pango and harfbuzz's subsetter (WeasyPrint's printed work order).
# All present: say nothing. Missing, as root on Debian: install them. Otherwise: one line saying what to do.
set -uo pipefail

missing=()

chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}"
[ -x "$chromium" ] || missing+=(chromium)

if command -v fc-list >/dev/null 2>&1; then
  fc-list 2>/dev/null | grep -qi "wqy.*microhei\|WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
else
  ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
fi

libs="$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null) )"
has_lib() { grep -q "$1" <<<"$libs"; }
has_lib "libpango-1.0.so.0" || missing+=(libpango-1.0-0)
has_lib "libpangoft2-1.0.so.0" || missing+=(libpangoft2-1.0-0)
has_lib "libharfbuzz-subset.so.0" || missing+=(libharfbuzz-subset0)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing the system packages the tests need: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  echo "apt-get could not install: ${missing[*]}" >&2
  exit 1
fi

echo "missing system packages: ${missing[*]} - install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}), or set CHROMIUM to your Chromium" >&2
exit 1
