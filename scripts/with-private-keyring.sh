#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring, so tests
# never touch the keyring of the person running them. The daemon exits with the bus.
set -euo pipefail
if [ "${OPENEO_AUTH_TRAY_TEST_KEYRING:-}" = 1 ]; then exec "$@"; fi
for bin in dbus-run-session gnome-keyring-daemon; do
  command -v "$bin" >/dev/null || { echo "missing $bin: install the Debian packages dbus gnome-keyring (see README)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/runtime"
chmod 700 "$tmp/runtime"
# NO_AT_BRIDGE: no accessibility bus is started on our private session for Chromium.
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" OPENEO_AUTH_TRAY_TEST_KEYRING=1 NO_AT_BRIDGE=1
# Without DISPLAY a locked keyring fails fast instead of starting a prompter that hangs.
# stderr passes through a filter for the bus daemon's own chatter; the pipeline is waited for,
# so nothing lands after the command's last line, and the command's exit code is kept.
set +e
{ env -u DISPLAY -u WAYLAND_DISPLAY dbus-run-session -- bash -c '
  printf "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  exec "$@"' bash "$@" 2>&1 1>&3 3>&- | grep -v --line-buffered -e "Failed to set fd limit" -e "^dbus-daemon\[" >&2; } 3>&1
rc=${PIPESTATUS[0]}
exit "$rc"
