/* SPDX-License-Identifier: MIT */
/*
 * xl.cfg(5) parser, domain layer: entries -> struct xlcfg_domain
 * (xenolith/xlcfg.h). It follows what xl does with the same keys, so one
 * file means the same domain on Xen and on Xenolith: the defaults are
 * libxl's, cmdline wins over root + extra, a later key replaces an earlier
 * one, numbers may be written as quoted strings and strings as numbers.
 *
 * Every entry is looked at once, in file order; each problem becomes a
 * diagnostic with the entry's line, and filling goes on so one run shows
 * them all. The cross-key checks (maxmem >= memory, ...) come last.
 *
 * Locking: none (no shared state).
 */
#include <xenolith/compiler.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include <xenolith/xlcfg.h>

enum dom_field { F_STRING, F_U64, F_UINT, F_ACTION, F_CPUMAP, F_LATER };

/* A key this layer understands: where its value goes and its range. */
struct dom_key {
    const char *key;
    enum dom_field field;
    size_t offset; /* in struct xlcfg_domain */
    size_t size;   /* F_STRING: bytes of the buffer */
    uint64_t min, max;
};

#define AT(member)   offsetof(struct xlcfg_domain, member)
#define SIZE(member) sizeof(((struct xlcfg_domain *)0)->member)

static const struct dom_key dom_keys[] = {
    {"name", F_STRING, AT(name), SIZE(name), 0, 0},
    {"kernel", F_STRING, AT(kernel), SIZE(kernel), 0, 0},
    {"ramdisk", F_STRING, AT(ramdisk), SIZE(ramdisk), 0, 0},
    {"memory", F_U64, AT(memory_mib), 0, 1, XLCFG_MAX_MEMORY_MIB},
    {"maxmem", F_U64, AT(maxmem_mib), 0, 1, XLCFG_MAX_MEMORY_MIB},
    {"vcpus", F_UINT, AT(vcpus), 0, 1, XLCFG_MAX_VCPUS},
    {"maxvcpus", F_UINT, AT(maxvcpus), 0, 1, XLCFG_MAX_VCPUS},
    {"cpu_weight", F_UINT, AT(weight), 0, 1, XLCFG_MAX_WEIGHT},
    {"weight", F_UINT, AT(weight), 0, 1, XLCFG_MAX_WEIGHT},
    {"cap", F_UINT, AT(cap), 0, 0, 100ULL * XLCFG_MAX_VCPUS},
    {"cpus", F_CPUMAP, AT(cpus), 0, 0, 0},
    {"cpus_soft", F_CPUMAP, AT(cpus_soft), 0, 0, 0},
    {"on_poweroff", F_ACTION, AT(on_poweroff), 0, 0, 0},
    {"on_reboot", F_ACTION, AT(on_reboot), 0, 0, 0},
    {"on_watchdog", F_ACTION, AT(on_watchdog), 0, 0, 0},
    {"on_crash", F_ACTION, AT(on_crash), 0, 0, 0},
    {"on_soft_reset", F_ACTION, AT(on_soft_reset), 0, 0, 0},
    /* Read after the loop, because they combine (see fill_cmdline, check_type). */
    {"cmdline", F_LATER, 0, 0, 0, 0},
    {"root", F_LATER, 0, 0, 0, 0},
    {"extra", F_LATER, 0, 0, 0, 0},
    {"type", F_LATER, 0, 0, 0, 0},
    {"builder", F_LATER, 0, 0, 0, 0},
};

/* Keys xl knows that Xenolith ignores for now, with a warning: devices,
 * HVM and Arm options, placement, security labels (docs/xlcfg.md). One
 * string, each key between blanks, so the list stays readable. */
static const char unsupported_keys[] =
    " "
    "acpi acpi_firmware acpi_laptop_slate acpi_s3 acpi_s4 altp2m altp2mhvm apic bios "
    "bios_path_override boot bootloader bootloader_args channel cpuid "
    "device_model_args device_model_args_hvm device_model_args_pv device_model_override "
    "device_model_stubdomain_override device_model_stubdomain_seclabel device_model_user "
    "device_model_version device_tree disk dm_restrict driver_domain dtdev e820_host "
    "extratime gfx_passthru gic_version hap hdtype hpet init_seclabel iomem ioports irqs "
    "keymap latency localtime max_event_channels max_grant_frames max_grant_version "
    "max_maptrack_frames mca_caps mmio_hole ms_vm_genid msr_relaxed nestedhvm nographic "
    "nomigrate oos opengl p9 pae passthrough pci pci_msitranslate pci_permissive "
    "pci_power_mgmt pci_seize period pool pvcalls pvshim pvshim_cmdline pvshim_extra "
    "pvshim_path rdm rdm_mem_boundary rtc_timeoffset sdl seclabel serial shadow_memory "
    "slice smbios_firmware soundhw spice spice_clipboard_sharing spice_image_compression "
    "spice_streaming_video spiceagent_mouse spicedisable_ticketing spicehost spicepasswd "
    "spiceport spicetls_port spiceusbredirection spicevdagent stdvga stubdomain_kernel "
    "stubdomain_memory stubdomain_ramdisk sve tee timer_mode tsc_mode usb usbctrl usbdev "
    "usbdevice usbversion uuid vcpu_hard_affinity vcpu_soft_affinity vdispl "
    "vendor_device vfb vga videoram vif viridian virtio vkb vmtrace_buf_kb vnc "
    "vncdisplay vnclisten vncpasswd vncunused vnuma vpmu vpt_align vsnd vtpm vuart "
    "xauthority xen_platform_pci ";

static const char *const action_names[] = {
    [XLCFG_ACTION_DESTROY] = "destroy",
    [XLCFG_ACTION_RESTART] = "restart",
    [XLCFG_ACTION_RENAME_RESTART] = "rename-restart",
    [XLCFG_ACTION_PRESERVE] = "preserve",
    [XLCFG_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XLCFG_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [XLCFG_ACTION_SOFT_RESET] = "soft-reset",
};

const char *xlcfg_action_name(enum xlcfg_action action)
{
    return (unsigned int)action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

void xlcfg_domain_init(struct xlcfg_domain *dom)
{
    memset(dom, 0, sizeof(*dom));
    dom->memory_mib = 32; /* libxl's default when the file has no memory key */
    dom->maxmem_mib = 32;
    dom->vcpus = 1;
    dom->maxvcpus = 1;
    dom->weight = 256;
    dom->cpus = dom->cpus_soft = ~0ULL;
    dom->cap = 0;
    dom->on_poweroff = XLCFG_ACTION_DESTROY;
    dom->on_reboot = XLCFG_ACTION_RESTART;
    dom->on_watchdog = XLCFG_ACTION_DESTROY;
    dom->on_crash = XLCFG_ACTION_DESTROY;
    dom->on_soft_reset = XLCFG_ACTION_SOFT_RESET;
}

/* ---- Messages ---- */

/* s quoted for a message, cut to 40 characters. */
static const char *shown(const char *s, char buf[48])
{
    size_t n = strlcpy(buf + 1, s, 42);

    buf[0] = '\'';
    if (n > 40)
        strlcpy(buf + 41, "...'", 5);
    else
        strlcpy(buf + 1 + n, "'", 2);
    return buf;
}

static void key_error(struct xlcfg_diags *diags, const struct xlcfg_entry *e, const char *a,
                      const char *b)
{
    xlcfg_diag_add(diags, XLCFG_ERROR, e->line, 0, "'", e->key, "' ", a, b ? b : "");
}

/* ---- Values ---- */

/* A string, or a number's text (xl stores both as text). */
static const char *get_string(const struct xlcfg_entry *e, struct xlcfg_diags *diags)
{
    if (e->kind != XLCFG_LIST)
        return e->atom.str;
    key_error(diags, e, "must be a string, not a list", NULL);
    return NULL;
}

static int get_number(const struct xlcfg_entry *e, const struct dom_key *k, uint64_t *out,
                      struct xlcfg_diags *diags)
{
    char buf[48], num[XLCFG_NUM_BUF];

    if (e->kind == XLCFG_LIST) {
        key_error(diags, e, "must be a number, not a list", NULL);
        return -EINVAL;
    }
    if (e->kind == XLCFG_STRING && xlcfg_parse_number(e->atom.str, strlen(e->atom.str), out)) {
        key_error(diags, e, "must be a number, not ", shown(e->atom.str, buf));
        return -EINVAL;
    }
    if (e->kind == XLCFG_NUMBER)
        *out = e->atom.num;
    if (*out < k->min) {
        key_error(diags, e, "must be at least ", xlcfg_u64_str(num, k->min));
        return -EINVAL;
    }
    if (*out > k->max) {
        key_error(diags, e, "must be at most ", xlcfg_u64_str(num, k->max));
        return -EINVAL;
    }
    return 0;
}

/* Copies s into a field of size bytes; control characters are refused,
 * since these strings end up on consoles and in key=value output. */
static int put_string(char *field, size_t size, const char *s, const struct xlcfg_entry *e,
                      struct xlcfg_diags *diags)
{
    char num[XLCFG_NUM_BUF];
    const char *p;

    for (p = s; *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            key_error(diags, e, "contains a control character", NULL);
            return -EINVAL;
        }
    }
    if (strlen(s) >= size) {
        key_error(diags, e, "is longer than the limit of ", xlcfg_u64_str(num, size - 1));
        return -EINVAL;
    }
    strlcpy(field, s, size);
    return 0;
}

/* A pCPU number of a cpu list at *p, moved past it: 0, or -1 if none or too big. */
static int cpulist_number(const char **p, unsigned int *out)
{
    unsigned int n = 0;

    if (**p < '0' || **p > '9')
        return -1;
    while (**p >= '0' && **p <= '9') {
        n = n * 10 + (unsigned int)(**p - '0');
        if (n >= XLCFG_MAX_PCPUS)
            return -1;
        (*p)++;
    }
    *out = n;
    return 0;
}

/*
 * xl's CPU list (xl.cfg(5) "cpus"): "all", or items joined by ',', each
 * N or N-M, with '^' to take them out again ("0-7,^3"). NUMA node items
 * are not understood. The bitmap, or 0 when the text is bad.
 */
static uint64_t parse_cpulist(const char *s)
{
    uint64_t map = 0;

    if (!strcmp(s, "all"))
        return ~0ULL;
    for (;;) {
        bool out = *s == '^';
        unsigned int lo, hi;
        uint64_t bits;

        s += out;
        if (cpulist_number(&s, &lo))
            return 0;
        hi = lo;
        if (*s == '-' && (s++, cpulist_number(&s, &hi) || hi < lo))
            return 0;
        bits = (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
        map = out ? map & ~bits : map | bits;
        if (*s == '\0')
            return map;
        if (*s++ != ',')
            return 0;
    }
}

static int parse_action(const char *s, enum xlcfg_action *out)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(action_names); i++) {
        if (!strcmp(s, action_names[i])) {
            *out = (enum xlcfg_action)i;
            return 0;
        }
    }
    return -EINVAL;
}

static void apply_key(struct xlcfg_domain *dom, const struct dom_key *k,
                      const struct xlcfg_entry *e, struct xlcfg_diags *diags)
{
    char *field = (char *)dom + k->offset, buf[48];
    const char *s;
    uint64_t v;

    switch (k->field) {
    case F_STRING:
        s = get_string(e, diags);
        if (s)
            put_string(field, k->size, s, e, diags);
        break;
    case F_U64:
        if (!get_number(e, k, &v, diags))
            memcpy(field, &v, sizeof(uint64_t));
        break;
    case F_UINT:
        if (!get_number(e, k, &v, diags))
            *(unsigned int *)field = (unsigned int)v; /* max keeps it in range */
        break;
    case F_CPUMAP:
        s = get_string(e, diags);
        if (s && !(*(uint64_t *)field = parse_cpulist(s)))
            key_error(diags, e,
                      "must be 'all' or pCPUs 0-63 as N, N-M and ^N joined by ',' (and name"
                      " one at least), not ",
                      shown(s, buf));
        break;
    case F_ACTION:
        s = get_string(e, diags);
        if (s && parse_action(s, (enum xlcfg_action *)field))
            key_error(diags, e,
                      "must be destroy, restart, rename-restart, preserve, "
                      "coredump-destroy, coredump-restart or soft-reset, not ",
                      shown(s, buf));
        break;
    case F_LATER:
        break;
    }
}

static bool is_unsupported(const char *key)
{
    size_t len = strlen(key);
    const char *p;

    for (p = unsupported_keys; (p = strchr(p, ' ')) != NULL && p[1]; p++)
        if (!strncmp(p + 1, key, len) && p[1 + len] == ' ')
            return true;
    return false;
}

static void apply_entry(struct xlcfg_domain *dom, const struct xlcfg_entry *e,
                        struct xlcfg_diags *diags)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(dom_keys); i++) {
        if (!strcmp(e->key, dom_keys[i].key)) {
            apply_key(dom, &dom_keys[i], e, diags);
            return;
        }
    }
    if (is_unsupported(e->key))
        xlcfg_diag_add(diags, XLCFG_WARNING, e->line, 0, "'", e->key,
                       "' is not supported yet (ignored)");
    else
        xlcfg_diag_add(diags, XLCFG_WARNING, e->line, 0, "unknown key '", e->key, "' (ignored)");
}

/* ---- Keys that combine ---- */

/* As xl: cmdline if given (root and extra then ignored, with a warning);
 * else "root=ROOT EXTRA", "root=ROOT" or "EXTRA". */
static void fill_cmdline(struct xlcfg_domain *dom, const struct xlcfg *cfg,
                         struct xlcfg_diags *diags)
{
    const struct xlcfg_entry *cmd = xlcfg_find(cfg, "cmdline"), *root = xlcfg_find(cfg, "root"),
                             *extra = xlcfg_find(cfg, "extra");
    const char *r = root ? get_string(root, diags) : NULL;
    const char *x = extra ? get_string(extra, diags) : NULL;
    char *out = dom->cmdline;
    size_t size = sizeof(dom->cmdline);

    if (cmd) {
        if (root || extra)
            xlcfg_diag_add(diags, XLCFG_WARNING, root ? root->line : extra->line, 0,
                           "ignoring 'root' and 'extra' in favour of 'cmdline'");
        if (get_string(cmd, diags))
            put_string(out, size, cmd->atom.str, cmd, diags);
        return;
    }
    if (!r && !x)
        return;
    /* Each part is checked (length, control characters) as it is put in. */
    if (r) {
        strlcpy(out, "root=", size);
        if (put_string(out + 5, size - 5, r, root, diags))
            return;
    }
    if (r && x)
        strlcpy(out + strlen(out), " ", size - strlen(out));
    if (x)
        put_string(out + strlen(out), size - strlen(out), x, extra, diags);
}

/* type = "pv" (or the older builder = "generic") is all Xenolith runs. */
static void check_type(const struct xlcfg *cfg, struct xlcfg_diags *diags)
{
    const struct xlcfg_entry *type = xlcfg_find(cfg, "type"), *builder = xlcfg_find(cfg, "builder");
    const char *s;
    char buf[48];

    if (type && (s = get_string(type, diags)) != NULL) {
        if (!strcmp(s, "pvh") || !strcmp(s, "hvm"))
            xlcfg_diag_add(diags, XLCFG_ERROR, type->line, 0,
                           "only PV guests are supported (type = ", shown(s, buf), ")");
        else if (strcmp(s, "pv"))
            key_error(diags, type, "must be pv, pvh or hvm, not ", shown(s, buf));
    }
    if (builder && (s = get_string(builder, diags)) != NULL) {
        if (!strcmp(s, "hvm"))
            xlcfg_diag_add(diags, XLCFG_ERROR, builder->line, 0,
                           "only PV guests are supported (builder = 'hvm')");
        else if (strcmp(s, "generic"))
            key_error(diags, builder, "must be generic or hvm, not ", shown(s, buf));
    }
}

/* Looks at the entry, not the field: a value refused above is not also "empty". */
static void require(const struct xlcfg *cfg, const char *key, const char *why,
                    struct xlcfg_diags *diags)
{
    const struct xlcfg_entry *e = xlcfg_find(cfg, key);

    if (!e)
        xlcfg_diag_add(diags, XLCFG_ERROR, 0, 0, "missing '", key, "' ", why);
    else if (e->kind == XLCFG_STRING && !e->atom.str[0])
        xlcfg_diag_add(diags, XLCFG_ERROR, e->line, 0, "'", key, "' is empty");
}

/* The checks between keys, once each key has its value. */
static void check_domain(struct xlcfg_domain *dom, const struct xlcfg *cfg,
                         struct xlcfg_diags *diags)
{
    char a[XLCFG_NUM_BUF], b[XLCFG_NUM_BUF];

    if (!xlcfg_find(cfg, "maxmem"))
        dom->maxmem_mib = dom->memory_mib;
    if (!xlcfg_find(cfg, "maxvcpus"))
        dom->maxvcpus = dom->vcpus;
    if (dom->maxmem_mib < dom->memory_mib)
        xlcfg_diag_add(diags, XLCFG_ERROR, xlcfg_line(cfg, "maxmem"), 0, "maxmem (",
                       xlcfg_u64_str(a, dom->maxmem_mib), " MiB) is less than memory (",
                       xlcfg_u64_str(b, dom->memory_mib), " MiB)");
    if (dom->maxvcpus < dom->vcpus)
        xlcfg_diag_add(diags, XLCFG_ERROR, xlcfg_line(cfg, "maxvcpus"), 0, "maxvcpus (",
                       xlcfg_u64_str(a, dom->maxvcpus), ") is less than vcpus (",
                       xlcfg_u64_str(b, dom->vcpus), ")");
    if (dom->cap > 100 * dom->maxvcpus)
        xlcfg_diag_add(diags, XLCFG_ERROR, xlcfg_line(cfg, "cap"), 0, "cap ",
                       xlcfg_u64_str(a, dom->cap), " is above 100 per vCPU (",
                       xlcfg_u64_str(b, 100ULL * dom->maxvcpus), ")");
    require(cfg, "name", "(every domain needs a name)", diags);
    require(cfg, "kernel", "(a PV guest boots from a kernel image)", diags);
}

int xlcfg_domain_fill(struct xlcfg_domain *dom, const struct xlcfg *cfg, struct xlcfg_diags *diags)
{
    unsigned int errors = diags->nr_errors, i;

    for (i = 0; i < cfg->nr_entries; i++)
        apply_entry(dom, &cfg->entries[i], diags);
    check_type(cfg, diags);
    fill_cmdline(dom, cfg, diags);
    check_domain(dom, cfg, diags);
    return diags->nr_errors > errors ? -EINVAL : 0;
}

int xlcfg_parse_domain(struct xlcfg_domain *dom, struct xlcfg *cfg, const char *text, size_t len,
                       struct xlcfg_diags *diags)
{
    int rc = xlcfg_parse(cfg, text, len, diags);

    xlcfg_domain_init(dom);
    return rc ? rc : xlcfg_domain_fill(dom, cfg, diags);
}
