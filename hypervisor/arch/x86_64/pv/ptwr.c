/* SPDX-License-Identifier: MIT */
/*
 * Writable page tables: a guest kernel may write its page tables with
 * ordinary stores, which fault because the tables are mapped read-only;
 * the hypervisor decodes the store and performs it as a validated entry
 * update. Xen 4.17 does this for a PV guest whether or not it enabled
 * VMASST_TYPE_writable_pagetables (tested: guest/tests/mmu.c), and so
 * do we. Only 8-byte, 8-aligned
 * stores of the forms compilers emit for PTEs are understood (mov r64,
 * mov imm32, xchg r64); anything else stays the guest's #PF.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define PF_PRESENT 1u
#define PF_WRITE   2u
#define MAX_INSN   15

struct pte_store {
    unsigned int len; /* bytes of the instruction */
    int reg;          /* source register number, or -1 for an immediate */
    uint64_t imm;
    bool exchange; /* xchg: the old entry goes back into reg */
};

/* Bytes after ModRM for its memory operand: SIB and displacement. */
static int modrm_tail(const uint8_t *p, size_t avail)
{
    unsigned int mod = p[0] >> 6, rm = p[0] & 7, n = 1;

    if (mod == 3)
        return -1; /* a register, not a store */
    if (rm == 4) {
        if (avail < 2)
            return -1;
        n++;
        if (mod == 0 && (p[1] & 7) == 5)
            n += 4;
    } else if (mod == 0 && rm == 5) {
        n += 4; /* rip-relative */
    }
    n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    return n <= avail ? (int)n : -1;
}

/* Decodes [segment prefix] REX.W (89 | 87 | c7 /0) modrm ... ; pure. */
static bool decode_pte_store(const uint8_t *p, size_t avail, struct pte_store *s)
{
    size_t i = 0;
    uint8_t rex, op;
    int tail;

    while (i < avail && (p[i] == 0x26 || p[i] == 0x2e || p[i] == 0x36 || p[i] == 0x3e ||
                         p[i] == 0x64 || p[i] == 0x65))
        i++;
    if (i + 3 > avail || (p[i] & 0xf8) != 0x48)
        return false; /* 8-byte operations only */
    rex = p[i++];
    op = p[i++];
    if (op != 0x89 && op != 0x87 && !(op == 0xc7 && ((p[i] >> 3) & 7) == 0))
        return false;
    tail = modrm_tail(&p[i], avail - i);
    if (tail < 0)
        return false;
    s->reg = op == 0xc7 ? -1 : (int)(((p[i] >> 3) & 7) | ((rex & 4) << 1));
    s->exchange = op == 0x87;
    i += (size_t)tail;
    if (op == 0xc7) {
        int32_t imm;

        if (i + 4 > avail)
            return false;
        __builtin_memcpy(&imm, &p[i], 4);
        s->imm = (uint64_t)(int64_t)imm;
        i += 4;
    }
    s->len = (unsigned int)i;
    return true;
}

/* The validated table that the read-only mapping at va shows, or NULL. */
static struct page_info *table_behind(struct domain *d, uint64_t va)
{
    unsigned int idx;
    struct page_info *l1 = pv_l1_for_va(d, va, &idx);
    pte_t e;

    if (!l1 || pv_table_level(l1) != 1)
        return NULL;
    e = ((pte_t *)page_to_virt(l1))[idx];
    if (!(e & _PAGE_PRESENT) || (e & _PAGE_RW))
        return NULL;
    l1 = pv_owned_frame(d, pte_addr(e) >> PAGE_SHIFT);
    return l1 && pv_table_level(l1) ? l1 : NULL;
}

bool pv_emulate_ptwr(struct cpu_regs *regs, uint64_t cr2)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    uint8_t insn[MAX_INSN];
    struct pte_store s;
    struct page_info *table;
    uint64_t val, old = 0;
    size_t n;
    int rc;

    if (!v->arch.kernel_mode ||
        (regs->error_code & (PF_PRESENT | PF_WRITE)) != (PF_PRESENT | PF_WRITE) || (cr2 & 7))
        return false;
    /* The instruction may end near a page end: fetch what is readable. */
    for (n = MAX_INSN; n > 0 && copy_from_guest(insn, regs->rip, n); n--)
        ;
    if (!decode_pte_store(insn, n, &s))
        return false;
    val = s.reg < 0 ? s.imm : *regs_gpr(regs, s.reg);
    spin_lock(&pv_mm_lock);
    table = table_behind(d, cr2);
    if (table)
        old = ((pte_t *)page_to_virt(table))[(cr2 & (PAGE_SIZE - 1)) / 8];
    rc = table ? pv_update_entry(d, table, (cr2 & (PAGE_SIZE - 1)) / 8, val, false) : -EINVAL;
    spin_unlock(&pv_mm_lock);
    if (rc)
        return false;
    if (s.exchange)
        *regs_gpr(regs, s.reg) = old;
    regs->rip += s.len;
    return true;
}
