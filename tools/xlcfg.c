/* SPDX-License-Identifier: MIT */
/*
 * build/host/xlcfg: checks xl.cfg(5) files with the hypervisor's own
 * parser (hypervisor/lib/xlcfg*.c, linked in unmodified), for people and
 * for the launcher (./xenolith). Besides xl's rules it applies what
 * Xenolith cannot run yet (xlcfg_support_check), as the hypervisor does.
 *
 *   xlcfg check FILE...         errors and warnings only
 *   xlcfg show [--lines] FILE   also the domain, as key=value lines
 *
 * Diagnostics go to stderr as FILE:LINE: error|warning: MESSAGE (just
 * FILE: when a message is about the whole file). Exit status: 0 clean or
 * warnings only, 1 errors, 2 bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenolith/xlcfg.h>

#define MAX_FILE (1024 * 1024)

/* Big (about 70 KiB) and used once at a time: static. */
static struct xlcfg cfg;
static struct xlcfg_diags diags;
static char text[MAX_FILE + 1];

static void usage(FILE *out)
{
    fprintf(out, "usage: xlcfg check FILE...\n"
                 "       xlcfg show [--lines] FILE\n"
                 "\n"
                 "check: print the errors and warnings of each xl.cfg file.\n"
                 "show:  the same, then the domain it describes as key=value lines\n"
                 "       (--lines adds line.KEY=N: where each key was set).\n"
                 "Exit status: 0 no errors, 1 errors, 2 usage or I/O problem.\n");
}

/* Reads the whole file into text; returns its length, or -1 after saying why. */
static long read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    n = fread(text, 1, sizeof(text), f);
    if (ferror(f) || n > MAX_FILE) {
        fprintf(stderr, "%s: error: %s\n", path,
                ferror(f) ? "read failed" : "larger than 1 MiB: not a domain configuration");
        fclose(f);
        return -1;
    }
    fclose(f);
    return (long)n;
}

static void print_diags(const char *path)
{
    unsigned int i, dropped = diags.nr_errors + diags.nr_warnings - diags.nr;

    for (i = 0; i < diags.nr; i++) {
        const struct xlcfg_diag *d = &diags.diag[i];
        const char *sev = d->severity == XLCFG_ERROR ? "error" : "warning";

        if (d->line)
            fprintf(stderr, "%s:%u: %s: %s", path, d->line, sev, d->message);
        else
            fprintf(stderr, "%s: %s: %s", path, sev, d->message);
        if (d->column)
            fprintf(stderr, " (column %u)", d->column);
        fputc('\n', stderr);
    }
    if (dropped)
        fprintf(stderr, "%s: note: %u more not shown\n", path, dropped);
}

static void show(const struct xlcfg_domain *dom, int lines)
{
    static const char *const keys[] = {"name",   "kernel",     "ramdisk", "cmdline", "root",
                                       "extra",  "memory",     "maxmem",  "vcpus",   "maxvcpus",
                                       "weight", "cpu_weight", "cap"};
    unsigned int i;

    printf("name=%s\nkernel=%s\nramdisk=%s\ncmdline=%s\n", dom->name, dom->kernel, dom->ramdisk,
           dom->cmdline);
    printf("memory=%llu\nmaxmem=%llu\n", (unsigned long long)dom->memory_mib,
           (unsigned long long)dom->maxmem_mib);
    printf("vcpus=%u\nmaxvcpus=%u\nweight=%u\ncap=%u\n", dom->vcpus, dom->maxvcpus, dom->weight,
           dom->cap);
    printf("on_poweroff=%s\non_reboot=%s\non_watchdog=%s\non_crash=%s\non_soft_reset=%s\n",
           xlcfg_action_name(dom->on_poweroff), xlcfg_action_name(dom->on_reboot),
           xlcfg_action_name(dom->on_watchdog), xlcfg_action_name(dom->on_crash),
           xlcfg_action_name(dom->on_soft_reset));
    for (i = 0; lines && i < sizeof(keys) / sizeof(keys[0]); i++)
        if (xlcfg_line(&cfg, keys[i]))
            printf("line.%s=%u\n", keys[i], xlcfg_line(&cfg, keys[i]));
}

/* Returns the exit status for this file. */
static int process(const char *path, int do_show, int lines)
{
    struct xlcfg_domain dom;
    long len = read_file(path);

    if (len < 0)
        return 2;
    xlcfg_diags_init(&diags);
    /* What Xenolith cannot run yet is refused here too, so a file this
     * tool accepts is one the hypervisor builds. */
    if (xlcfg_parse_domain(&dom, &cfg, text, (size_t)len, &diags) == 0)
        xlcfg_support_check(&dom, &cfg, &diags);
    print_diags(path);
    if (diags.nr_errors)
        return 1;
    if (do_show)
        show(&dom, lines);
    return 0;
}

int main(int argc, char **argv)
{
    int i, rc = 0, r, lines = 0;

    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "check")) {
        for (i = 2; i < argc; i++) {
            r = process(argv[i], 0, 0);
            rc = r > rc ? r : rc;
        }
        return rc;
    }
    if (argc >= 3 && !strcmp(argv[1], "show")) {
        lines = !strcmp(argv[2], "--lines");
        if (argc == 3 + lines)
            return process(argv[2 + lines], 1, lines);
    }
    usage(stderr);
    return 2;
}
