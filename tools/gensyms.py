#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn `nm -n` output of the first link pass into the .symtab_xen section.

Only function (text) symbols are kept: the table is linked after all code,
so its size cannot move a function between the two link passes.
Usage: gensyms.py < nm-output > symtab.S   (empty input: an empty table)
"""
import sys


def main():
    syms = []
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in "tT":
            continue
        addr, name = int(parts[0], 16), parts[2]
        if name.startswith(".L") or name.startswith("__"):
            continue
        syms.append((addr, name))
    syms.sort()
    out = ['\t.section .symtab_xen, "a"', "\t.balign 8",
           "\t.globl symtab_count, symtab_addrs, symtab_name_offs, symtab_names",
           f"symtab_count:\t.quad {len(syms)}", "symtab_addrs:"]
    out += [f"\t.quad {a:#x}" for a, _ in syms]
    out.append("symtab_name_offs:")
    off = 0
    for _, name in syms:
        out.append(f"\t.long {off}")
        off += len(name) + 1
    out.append("symtab_names:")
    out += [f'\t.asciz "{n}"' for _, n in syms]
    out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
