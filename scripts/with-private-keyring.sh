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
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" OPENEO_AUTH_TRAY_TEST_KEYRING=1
# Without DISPLAY a locked keyring fails fast instead of starting a prompter that hangs.
exec env -u DISPLAY -u WAYLAND_DISPLAY dbus-run-session -- bash -c '
  printf "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  exec "$@"' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
