/* SPDX-License-Identifier: MIT */
/*
 * Xenstore path and permission-string rules, as xenstored applies them:
 * a path is absolute ("/a/b"), relative to the caller's home
 * "/local/domain/<id>", or (for watches and permissions only) a special
 * "@name". No trailing '/', no "//", only [A-Za-z0-9-/_@]; at most
 * XENSTORE_REL_PATH_MAX bytes below a domain's home, or in all for any
 * other path, and never more than XENSTORE_ABS_PATH_MAX. (xenstored lets
 * the privileged domain use longer paths outside homes; here all are held
 * to the limit unprivileged domains have.)
 */
#include <xenolith/string.h>

#include "xs_tree.h"

#define XS_HOME_BASE "/local/domain/"

size_t xs_path_utoa(unsigned long v, char *out)
{
    char tmp[24];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* "/local/domain/<domid>", NUL-terminated; returns its length. */
size_t xs_path_domain_prefix(uint16_t domid, char *out)
{
    size_t n = sizeof(XS_HOME_BASE) - 1;

    memcpy(out, XS_HOME_BASE, n);
    return n + xs_path_utoa(domid, out + n);
}

static bool xs_path_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '/' || ch == '_' || ch == '@';
}

/* Length of the part below "/local/domain/<digits>/", or of the whole path. */
static size_t xs_path_len_below_home(const char *path, size_t len)
{
    size_t base = sizeof(XS_HOME_BASE) - 1, i = base;

    if (strncmp(path, XS_HOME_BASE, base) != 0)
        return len;
    while (path[i] >= '0' && path[i] <= '9')
        i++;
    if (i == base || path[i] != '/')
        return len;
    return len - (i + 1);
}

static int xs_path_check(const char *path, size_t len)
{
    size_t i;

    if (len > 1 && path[len - 1] == '/')
        return -EINVAL;
    for (i = 0; i < len; i++) {
        if (!xs_path_char_ok(path[i]))
            return -EINVAL;
        if (path[i] == '/' && path[i + 1] == '/')
            return -EINVAL;
    }
    if (xs_path_len_below_home(path, len) > XENSTORE_REL_PATH_MAX)
        return -EINVAL;
    return 0;
}

bool xs_path_is_special(const char *path)
{
    return path[0] == '@';
}

int xs_path_canonical(uint16_t domid, const char *in, bool allow_special, char *out)
{
    size_t len = strnlen(in, XS_PATH_BUF), off = 0;

    if (in[0] == '@') {
        if (!allow_special)
            return -EINVAL;
    } else if (in[0] != '/') {
        off = xs_path_domain_prefix(domid, out);
        out[off++] = '/';
    }
    if (off + len > XENSTORE_ABS_PATH_MAX)
        return -EINVAL;
    memcpy(out + off, in, len);
    out[off + len] = '\0';
    return xs_path_check(out, off + len);
}

bool xs_path_is_below(const char *path, const char *base)
{
    size_t n = strlen(base);

    if (n == 1 && base[0] == '/')
        return path[0] == '/';
    return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int xs_perm_parse(const char *s, struct xs_perm *p)
{
    const char *end;
    unsigned long id;

    switch (s[0]) {
    case 'n':
        p->perm = XS_PERM_NONE;
        break;
    case 'r':
        p->perm = XS_PERM_READ;
        break;
    case 'w':
        p->perm = XS_PERM_WRITE;
        break;
    case 'b':
        p->perm = XS_PERM_READ | XS_PERM_WRITE;
        break;
    default:
        return -EINVAL;
    }
    id = simple_strtoul(s + 1, &end, 10);
    if (end == s + 1 || *end != '\0' || id > 0xffff)
        return -EINVAL;
    p->domid = (uint16_t)id;
    return 0;
}

/* "b5" and its NUL; returns the length including the NUL. */
size_t xs_perm_format(const struct xs_perm *p, char *out)
{
    static const char letters[4] = {'n', 'r', 'w', 'b'};

    out[0] = letters[p->perm & 3];
    return 1 + xs_path_utoa(p->domid, out + 1) + 1;
}

unsigned int xs_perm_for(const struct xs_caller *c, const struct xs_perm *perms,
                         unsigned int nr_perms)
{
    unsigned int i;

    /* The privileged domain and the owner get everything. */
    if (c->privileged || perms[0].domid == c->domid)
        return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    for (i = 1; i < nr_perms; i++)
        if (perms[i].domid == c->domid)
            return perms[i].perm;
    return perms[0].perm;
}
