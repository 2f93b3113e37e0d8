/* SPDX-License-Identifier: MIT */
/*
 * Domain configuration files in xl.cfg(5) syntax: one parser shared by
 * the hypervisor (boot-time domains), the host tool build/host/xlcfg,
 * the unit tests and, later, the toolstack in the control domain.
 *
 * Two layers, plus the diagnostics they share:
 *   xlcfg_parse()        text -> entries {key, value, line}: the grammar
 *                        (hypervisor/lib/xlcfg.c)
 *   xlcfg_domain_fill()  entries -> struct xlcfg_domain: xl's keys,
 *                        defaults and checks (lib/xlcfg_domain.c)
 *   xlcfg_diag_add()     errors and warnings as values (lib/xlcfg_diag.c)
 *
 * Grammar (docs/xlcfg.md has the long form):
 *   KEY = VALUE | KEY += VALUE, ended by a newline, ';' or the end
 *   VALUE: "string" | 'string' (C escapes), a number (decimal, 0x hex,
 *   0 octal, as xl), or [ VALUE, ... ] (strings and numbers, may span
 *   lines, trailing comma allowed); '#' starts a comment.
 * A later assignment of a key replaces the earlier one; '+=' appends to a
 * string or a list.
 *
 * Nothing is allocated and nothing printed: the caller provides struct
 * xlcfg (64 KiB; it holds pointers into itself, so never copy it) and
 * struct xlcfg_diags (5.5 KiB), where errors and warnings land as values
 * with their line: both too big for a hypervisor stack. No shared state: concurrent calls need
 * distinct structs.
 */
#ifndef XENOLITH_XLCFG_H
#define XENOLITH_XLCFG_H

#include <xenolith/types.h>

#define XLCFG_KEY_MAX     64    /* characters in a key */
#define XLCFG_STRING_MAX  1024  /* characters in a string value */
#define XLCFG_LIST_MAX    32    /* items in one list */
#define XLCFG_MAX_ENTRIES 128   /* distinct keys in one file */
#define XLCFG_MAX_ITEMS   512   /* list items, all lists together */
#define XLCFG_POOL_SIZE   32768 /* bytes of value text, all values together */
#define XLCFG_MAX_DIAGS   32    /* diagnostics kept; more are only counted */
#define XLCFG_MSG_MAX     160   /* bytes of one diagnostic message */

/* ---- Diagnostics ---- */

enum xlcfg_severity { XLCFG_ERROR, XLCFG_WARNING };

struct xlcfg_diag {
    enum xlcfg_severity severity;
    unsigned int line;   /* 1-based; 0: about the whole file */
    unsigned int column; /* 1-based byte column; 0: not known */
    char message[XLCFG_MSG_MAX];
};

struct xlcfg_diags {
    unsigned int nr_errors;   /* all raised, kept or not */
    unsigned int nr_warnings; /* all raised, kept or not */
    unsigned int nr;          /* kept in diag[], in the order raised */
    struct xlcfg_diag diag[XLCFG_MAX_DIAGS];
};

void xlcfg_diags_init(struct xlcfg_diags *diags);

/* ---- Generic layer: the file's entries ---- */

enum xlcfg_kind { XLCFG_STRING, XLCFG_NUMBER, XLCFG_LIST };

/* A string or a number. A number keeps its text as written, because xl
 * lets a string key take a number (name = 42) and the reverse. */
struct xlcfg_atom {
    enum xlcfg_kind kind; /* XLCFG_STRING or XLCFG_NUMBER */
    const char *str;      /* NUL-terminated: the dequoted string or the digits */
    uint64_t num;         /* XLCFG_NUMBER: the value */
    unsigned int line, column;
};

struct xlcfg_entry {
    char key[XLCFG_KEY_MAX + 1];
    enum xlcfg_kind kind;
    unsigned int line;              /* of the assignment that set it last */
    struct xlcfg_atom atom;         /* XLCFG_STRING, XLCFG_NUMBER */
    const struct xlcfg_atom *items; /* XLCFG_LIST: nr_items atoms */
    unsigned int nr_items;
};

struct xlcfg {
    unsigned int nr_entries; /* entries[] in order of first appearance */
    struct xlcfg_entry entries[XLCFG_MAX_ENTRIES];
    unsigned int nr_atoms;
    struct xlcfg_atom atoms[XLCFG_MAX_ITEMS];
    size_t pool_used;
    char pool[XLCFG_POOL_SIZE];
};

/*
 * Parses len bytes of text (no NUL needed) into cfg, replacing what it
 * held. Returns 0, or -EINVAL after adding one error to diags: parsing
 * stops at the first syntax error or exceeded limit.
 */
int xlcfg_parse(struct xlcfg *cfg, const char *text, size_t len, struct xlcfg_diags *diags);

/* The entry for key, or NULL. */
const struct xlcfg_entry *xlcfg_find(const struct xlcfg *cfg, const char *key);

/* Line where key was set last, 0 when it is not set. */
unsigned int xlcfg_line(const struct xlcfg *cfg, const char *key);

/* ---- Domain layer ---- */

/* What happens when a domain shuts down for a reason (xl's names). */
enum xlcfg_action {
    XLCFG_ACTION_DESTROY,
    XLCFG_ACTION_RESTART,
    XLCFG_ACTION_RENAME_RESTART,
    XLCFG_ACTION_PRESERVE,
    XLCFG_ACTION_COREDUMP_DESTROY,
    XLCFG_ACTION_COREDUMP_RESTART,
    XLCFG_ACTION_SOFT_RESET,
};

#define XLCFG_MAX_MEMORY_MIB  (1ULL << 24) /* 16 TiB: keeps MiB -> bytes in range */
#define XLCFG_MAX_VCPUS       4096
#define XLCFG_SUPPORTED_VCPUS 32 /* Xenolith: XEN_LEGACY_MAX_VCPUS */
#define XLCFG_MAX_WEIGHT      65535
#define XLCFG_MAX_PCPUS       64 /* affinity bitmaps: pCPUs 0..63 */

struct xlcfg_domain {
    char name[64];
    char kernel[256];  /* path as written in the file */
    char ramdisk[256]; /* "" when there is none */
    char cmdline[1024];
    uint64_t memory_mib;   /* initial allocation */
    uint64_t maxmem_mib;   /* >= memory_mib; memory_mib when not set */
    unsigned int vcpus;    /* online at boot */
    unsigned int maxvcpus; /* >= vcpus; vcpus when not set */
    unsigned int weight;   /* credit scheduler weight, 1..65535 */
    unsigned int cap;      /* percent of one CPU, 0 = no cap */
    uint64_t cpus;         /* hard affinity, a pCPU bitmap; all when not set */
    uint64_t cpus_soft;    /* soft affinity (preferred pCPUs); all when not set */
    enum xlcfg_action on_poweroff, on_reboot, on_watchdog, on_crash, on_soft_reset;
};

/* xl's defaults: 32 MiB (libxl's), 1 vCPU, weight 256, no cap, on_poweroff
 * destroy, on_reboot restart, on_watchdog destroy, on_crash destroy,
 * on_soft_reset soft-reset; name and kernel empty. */
void xlcfg_domain_init(struct xlcfg_domain *dom);

/*
 * Applies cfg's entries to dom (set up by xlcfg_domain_init) and checks
 * the result. Unknown keys and keys Xenolith does not support yet are
 * warnings; wrong types, bad values, a missing name or kernel and a type
 * other than "pv" are errors. Every problem is added to diags, with its
 * line. Returns 0, or -EINVAL when it added an error (dom is then only
 * partly filled).
 */
int xlcfg_domain_fill(struct xlcfg_domain *dom, const struct xlcfg *cfg, struct xlcfg_diags *diags);

/* Both layers: parse text into cfg, then fill dom from defaults. */
int xlcfg_parse_domain(struct xlcfg_domain *dom, struct xlcfg *cfg, const char *text, size_t len,
                       struct xlcfg_diags *diags);

/* xl's name of an action ("rename-restart"), "?" when out of range. */
const char *xlcfg_action_name(enum xlcfg_action action);

/* ---- Xenolith layer (lib/xlcfg_support.c) ---- */

/*
 * What Xenolith cannot run yet, for a dom filled without errors: more
 * than one vCPU, actions other than destroy, restart and preserve (errors
 * with the key's line); a cap (not enforced) and an explicit
 * on_soft_reset = 'soft-reset' (warnings). Returns 0, or -EINVAL when it
 * added an error. The hypervisor and build/host/xlcfg both call it.
 */
int xlcfg_support_check(const struct xlcfg_domain *dom, const struct xlcfg *cfg,
                        struct xlcfg_diags *diags);

/* ---- Shared by the two layers ---- */

/* Adds a diagnostic whose message is the concatenation of the strings
 * after column (no printf here; cut at XLCFG_MSG_MAX). The macro ends
 * the list, so no call can forget the sentinel. */
#define xlcfg_diag_add(diags, severity, line, column, ...)                                         \
    xlcfg_diag_add_parts(diags, severity, line, column, __VA_ARGS__, (const char *)0)
void xlcfg_diag_add_parts(struct xlcfg_diags *diags, enum xlcfg_severity severity,
                          unsigned int line, unsigned int column, ...) __attribute__((sentinel));

#define XLCFG_NUM_BUF 21 /* UINT64_MAX in decimal, and its NUL */

/* v in decimal, written to buf; returns buf. */
const char *xlcfg_u64_str(char buf[XLCFG_NUM_BUF], uint64_t v);

/* Parses a whole string as an xl number: decimal, 0x hex or 0 octal.
 * Returns 0, -EINVAL (not a number) or -ERANGE (above UINT64_MAX). */
int xlcfg_parse_number(const char *s, size_t len, uint64_t *out);

#endif
