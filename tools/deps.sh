#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages the build, the demo and the tests need.
# Idempotent and silent when everything is present; called by make.
set -eu

PACKAGES="gcc make binutils python3 qemu-system-x86 grub-pc-bin grub-common \
xorriso mtools python3-pytest libcmocka-dev zlib1g-dev liblzma-dev libxen-dev clang clang-format cppcheck \
xen-hypervisor-4.17-amd64 linux-image-amd64 busybox-static libc6-dev"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
