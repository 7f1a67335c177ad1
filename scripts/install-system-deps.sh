#!/usr/bin/env bash
# Install the system packages the dashboard needs: Debian's chromium for the browser tests (no browser
# download) and npm to fetch Solara's front-end files. Idempotent: does nothing when both exist. Run as root (or with sudo available).
set -euo pipefail

# npm fetches Solara's front-end files once from the npm registry (simulation/dashboard/assets.py)
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -eq 0 ]; then
    echo "chromium and npm already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error: need root (or sudo) to install chromium with apt-get" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${need[@]}"

if [ ! -x /usr/bin/chromium ]; then
    echo "error: apt-get finished but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
