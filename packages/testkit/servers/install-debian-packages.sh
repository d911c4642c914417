#!/usr/bin/env bash
# Installs the Debian packages behind the test servers the testkit starts (ensure*Server()).
# Idempotent: runs `apt-get update` once and installs only what is missing.
# Other helpers: add your package names to PACKAGES (one line each), nothing else.
set -euo pipefail

PACKAGES=(
  # OpenStack Swift, all in one (native Swift API + S3 via s3api) — ensureSwiftServer()
  swift swift-proxy swift-account swift-container swift-object python3-swiftclient memcached
  # OpenStack Keystone (Identity v3) and the Swift proxy middleware that accepts its tokens — ensureKeystoneServer()
  keystone python3-openstackclient python3-keystonemiddleware
  # rclone: fills destinations the way users moving to Nimbus have them (plugin-s3 adopt-rclone.test)
  rclone
  # A Secret Service on a private D-Bus session (GNOME Keyring) for the keychain token store — startSecretService()
  gnome-keyring dbus-daemon dbus-bin
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-debian-packages: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-debian-packages: installing ${missing[*]}"
$SUDO apt-get update -qq
# Keep services from starting at install time: the testkit starts its own, on loopback, under /tmp.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy_rc" >/dev/null
  $SUDO chmod +x "$policy_rc"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && $SUDO rm -f "$policy_rc"' EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
