/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup over the table tools/gensyms.py generates from the first
 * link pass: addresses sorted ascending, one name offset each.
 */
#include <xenolith/symbols.h>

extern const uint64_t symtab_count;
extern const uint64_t symtab_addrs[];
extern const uint32_t symtab_name_offs[];
extern const char symtab_names[];
extern const char __text_start[], __text_end[];

const char *symbols_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
    uint64_t lo = 0, hi = symtab_count;

    if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || !hi)
        return NULL;
    /* Find the last symbol at or below addr. */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (symtab_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (symtab_addrs[lo] > addr)
        return NULL;
    *offset = addr - symtab_addrs[lo];
    *size =
        (lo + 1 < symtab_count ? symtab_addrs[lo + 1] : (uint64_t)__text_end) - symtab_addrs[lo];
    return &symtab_names[symtab_name_offs[lo]];
}
