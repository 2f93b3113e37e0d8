/* SPDX-License-Identifier: MIT */
/* Checked copies between the hypervisor and guest virtual memory. */
#include <xenolith/errno.h>
#include <asm/config.h>
#include <asm/guest_access.h>

struct ex_entry {
    uint64_t insn, fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
size_t guest_copy_raw(void *dst, const void *src, size_t n);

#define CANONICAL_LOW_END 0x0000800000000000ull

bool guest_range_ok(uint64_t addr, size_t len)
{
    uint64_t last = addr + len - 1;

    if (len == 0)
        return true;
    if (last < addr)
        return false; /* wraps around */
    if (addr < CANONICAL_LOW_END)
        return last < CANONICAL_LOW_END;
    /* Upper half: only above the hypervisor's slots. */
    return addr >= HYPERVISOR_VIRT_END;
}

int copy_from_guest(void *dst, uint64_t src, size_t len)
{
    if (!guest_range_ok(src, len))
        return -EFAULT;
    return guest_copy_raw(dst, (const void *)src, len) ? -EFAULT : 0;
}

size_t fetch_guest_insn(uint8_t *buf, uint64_t rip, size_t max)
{
    size_t n;

    for (n = max; n > 0 && copy_from_guest(buf, rip, n); n--)
        ;
    return n;
}

int copy_to_guest(uint64_t dst, const void *src, size_t len)
{
    if (!guest_range_ok(dst, len))
        return -EFAULT;
    return guest_copy_raw((void *)dst, src, len) ? -EFAULT : 0;
}

uint64_t search_exception_table(uint64_t rip)
{
    const struct ex_entry *e;

    for (e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}
