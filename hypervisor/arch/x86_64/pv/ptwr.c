/* SPDX-License-Identifier: MIT */
/*
 * Writable page tables: a guest kernel may write its page tables with
 * ordinary stores, which fault because the tables are mapped read-only;
 * the hypervisor decodes the store and performs it as a validated entry
 * update. Xen 4.17 does this for a PV guest whether or not it enabled
 * VMASST_TYPE_writable_pagetables (tested: guest/tests/mmu.c), and so
 * do we. The forms kernels use on entries are understood: mov, xchg,
 * cmpxchg, and/or/xor, bts/btr/btc, of 1 to 8 bytes inside one entry
 * (Linux's ptep_set_wrprotect is an "andb" on the entry's low byte);
 * anything else stays the guest's #PF.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define PF_PRESENT 1u
#define PF_WRITE   2u
#define MAX_INSN   15

enum pte_op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_AND, OP_OR, OP_XOR, OP_BTS, OP_BTR, OP_BTC };

struct pte_store {
    unsigned int len;  /* bytes of the instruction */
    unsigned int size; /* of the memory operand: 1, 2, 4 or 8 */
    enum pte_op op;
    int reg; /* source register number, or -1 for an immediate */
    uint64_t imm;
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

/* The operation of an ALU or bit-test group opcode's ModRM reg field. */
static bool group_op(uint8_t op, unsigned int field, enum pte_op *out)
{
    static const int8_t alu[8] = {-1, OP_OR, -1, -1, OP_AND, -1, OP_XOR, -1};
    static const int8_t bt[8] = {-1, -1, -1, -1, -1, OP_BTS, OP_BTR, OP_BTC};
    int8_t r = op == 0xba                   ? bt[field]
               : (op == 0xc6 || op == 0xc7) ? (field ? -1 : OP_MOV)
                                            : alu[field];

    if (r < 0)
        return false;
    *out = (enum pte_op)r;
    return true;
}

/*
 * Decodes [prefixes] [REX] opcode modrm ... [imm] for the operations
 * above (pure). Byte registers 4-7 without REX (ah..bh) are refused.
 */
static bool decode_pte_store(const uint8_t *p, size_t avail, struct pte_store *s)
{
    size_t i = 0;
    uint8_t rex = 0, op;
    bool opsize = false, twobyte = false;
    unsigned int imm_len = 0, field;
    int tail;

    for (; i < avail; i++) {
        if (p[i] == 0x66)
            opsize = true;
        else if (p[i] != 0xf0 && p[i] != 0x26 && p[i] != 0x2e && p[i] != 0x36 && p[i] != 0x3e &&
                 p[i] != 0x64 && p[i] != 0x65)
            break;
    }
    if (i < avail && (p[i] & 0xf0) == 0x40)
        rex = p[i++];
    if (i < avail && p[i] == 0x0f) {
        twobyte = true;
        i++;
    }
    if (i + 2 > avail)
        return false;
    op = p[i++];
    field = (p[i] >> 3) & 7;
    s->reg = (int)(field | ((rex & 4) << 1));
    s->size = (rex & 8) ? 8 : opsize ? 2 : 4;
    if (twobyte) {
        static const int8_t reg_ops[8] = {-1, -1, -1, OP_BTS, -1, -1, OP_BTR, OP_BTC};

        if (op == 0xb1) {
            s->op = OP_CMPXCHG;
        } else if (op == 0xba) {
            if (!group_op(op, field, &s->op))
                return false;
            s->reg = -1;
            imm_len = 1;
        } else if ((op & 0xc7) == 0x83 && reg_ops[(op >> 3) & 7] >= 0) {
            s->op = (enum pte_op)reg_ops[(op >> 3) & 7]; /* ab, b3, bb */
        } else {
            return false;
        }
    } else {
        switch (op) {
        case 0x88:
        case 0x89:
            s->op = OP_MOV;
            break;
        case 0x86:
        case 0x87:
            s->op = OP_XCHG;
            break;
        case 0x20:
        case 0x21:
            s->op = OP_AND;
            break;
        case 0x08:
        case 0x09:
            s->op = OP_OR;
            break;
        case 0x30:
        case 0x31:
            s->op = OP_XOR;
            break;
        case 0x80:
        case 0x81:
        case 0x83:
        case 0xc6:
        case 0xc7:
            if (!group_op(op, field, &s->op))
                return false;
            s->reg = -1;
            imm_len = (op == 0x81 || op == 0xc7) ? (s->size == 2 ? 2 : 4) : 1;
            break;
        default:
            return false;
        }
        if (!(op & 1) && op != 0x83) {
            s->size = 1;
            if (s->reg >= 4 && s->reg < 8 && !rex)
                return false;
        }
    }
    tail = modrm_tail(&p[i], avail - i);
    if (tail < 0 || i + (size_t)tail + imm_len > avail)
        return false;
    i += (size_t)tail;
    s->imm = 0;
    if (imm_len) { /* sign-extended, as the CPU does */
        int64_t v =
            imm_len == 1 ? (int8_t)p[i]
            : imm_len == 2
                ? (int16_t)(p[i] | p[i + 1] << 8)
                : (int32_t)(p[i] | p[i + 1] << 8 | p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
        s->imm = (uint64_t)v;
    }
    s->len = (unsigned int)(i + imm_len);
    return true;
}

#define FLAGS_ARITH (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

/*
 * Applies s to the operand `cur` (size bytes): the new operand; *flags
 * updated as the CPU would for and/or/xor and the bit tests, *reg_out
 * for xchg/cmpxchg. False if cmpxchg found a different value.
 */
static uint64_t apply_op(const struct pte_store *s, uint64_t cur, uint64_t src, uint64_t *flags,
                         uint64_t rax, bool *store)
{
    uint64_t mask = s->size == 8 ? ~0ull : (1ull << (s->size * 8)) - 1, res = cur;
    unsigned int bit = (unsigned int)(src & (s->size * 8 - 1));

    *store = true;
    switch (s->op) {
    case OP_MOV:
    case OP_XCHG:
        return src & mask;
    case OP_CMPXCHG:
        *flags &= ~FLAGS_ARITH;
        if ((rax & mask) != cur) {
            *store = false;
            return cur;
        }
        *flags |= X86_EFLAGS_ZF;
        return src & mask;
    case OP_AND:
        res = cur & src;
        break;
    case OP_OR:
        res = cur | src;
        break;
    case OP_XOR:
        res = cur ^ src;
        break;
    case OP_BTS:
    case OP_BTR:
    case OP_BTC:
        *flags = (*flags & ~X86_EFLAGS_CF) | (((cur >> bit) & 1) ? X86_EFLAGS_CF : 0);
        return s->op == OP_BTS   ? cur | (1ull << bit)
               : s->op == OP_BTR ? cur & ~(1ull << bit)
                                 : cur ^ (1ull << bit);
    }
    res &= mask;
    *flags &= ~FLAGS_ARITH;
    *flags |= (res ? 0 : X86_EFLAGS_ZF) | ((res >> (s->size * 8 - 1)) & 1 ? X86_EFLAGS_SF : 0) |
              (__builtin_parity((unsigned int)(res & 0xff)) ? 0 : X86_EFLAGS_PF);
    return res;
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
    unsigned int idx, shift = (unsigned int)(cr2 & 7) * 8;
    uint64_t src, old = 0, cur, res, mask, flags = regs->rflags;
    bool store = false;
    size_t n;
    int rc = -EINVAL;

    if (!v->arch.kernel_mode ||
        (regs->error_code & (PF_PRESENT | PF_WRITE)) != (PF_PRESENT | PF_WRITE))
        return false;
    n = fetch_guest_insn(insn, regs->rip, sizeof(insn));
    if (!decode_pte_store(insn, n, &s) || (cr2 & 7) + s.size > 8)
        return false; /* the operand must lie inside one entry */
    mask = s.size == 8 ? ~0ull : ((1ull << (s.size * 8)) - 1);
    src = s.reg < 0 ? s.imm : *regs_gpr(regs, s.reg);
    /* A register bit offset may reach past the operand: not into the next entry. */
    if (s.op >= OP_BTS && s.reg >= 0 && src >= s.size * 8)
        return false;
    idx = (unsigned int)(cr2 & (PAGE_SIZE - 1)) / 8;
    spin_lock(&pv_mm_lock);
    table = table_behind(d, cr2);
    if (table) {
        old = ((pte_t *)page_to_virt(table))[idx];
        cur = (old >> shift) & mask;
        res = apply_op(&s, cur, src, &flags, regs->rax, &store);
        rc = store
                 ? pv_update_entry(d, table, idx, (old & ~(mask << shift)) | (res << shift), false)
                 : 0;
    }
    spin_unlock(&pv_mm_lock);
    if (rc)
        return false;
    cur = (old >> shift) & mask;
    if (s.op == OP_XCHG)
        *regs_gpr(regs, s.reg) = s.size == 4 ? cur : (*regs_gpr(regs, s.reg) & ~mask) | cur;
    if (s.op == OP_CMPXCHG && !store)
        regs->rax = s.size == 4 ? cur : (regs->rax & ~mask) | cur;
    regs->rflags = flags;
    regs->rip += s.len;
    return true;
}
