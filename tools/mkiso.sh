#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds a GRUB (BIOS) ISO that boots Xenolith through multiboot2.
# usage: mkiso.sh IMAGE OUT.iso [-c "hypervisor command line"] [-m FILE "module args"]...
set -eu

image=$1 out=$2
shift 2
cmdline="loglvl=all"
mods=""
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/boot/grub"
cp "$image" "$work/boot/xenolith"

n=0
while [ $# -gt 0 ]; do
    case "$1" in
        -c) cmdline=$2; shift 2 ;;
        -m) cp "$2" "$work/boot/mod$n"
            mods="$mods    module2 /boot/mod$n $3
"
            n=$((n + 1)); shift 3 ;;
        *) echo "mkiso.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

cat > "$work/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "Xenolith" {
    multiboot2 /boot/xenolith $cmdline
$mods    boot
}
CFG
grub-mkrescue -o "$out" "$work" >/dev/null 2>&1 || {
    echo "mkiso.sh: grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools)" >&2
    exit 1
}
