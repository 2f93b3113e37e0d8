/* SPDX-License-Identifier: MIT */
/*
 * The console ring's index arithmetic (xenolith/conring.h): pure, with
 * Xen's rules for readers (XEN_SYSCTL_readconsole), so the same code
 * runs in the hypervisor and in tests/unit/test_conring.c.
 */
#include <xenolith/conring.h>

void conring_init(struct conring *r, char *buf, uint32_t size)
{
    *r = (struct conring){.buf = buf, .size = size};
}

void conring_put(struct conring *r, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        r->buf[(r->prod + i) & (r->size - 1)] = s[i];
    r->prod += (uint32_t)len;
    if (r->prod - r->cons > r->size)
        r->cons = r->prod - r->size;
}

void conring_move(struct conring *r, char *buf, uint32_t size)
{
    uint32_t i = r->prod - r->cons > size ? r->prod - size : r->cons;

    /* The indices stay as they are: a reader's index remains valid. */
    r->cons = i;
    for (; i != r->prod; i++)
        buf[i & (size - 1)] = r->buf[i & (r->size - 1)];
    r->buf = buf;
    r->size = size;
}

uint32_t conring_read_start(const struct conring *r, bool incremental, uint32_t index)
{
    /* Distances from cons make the test immune to wrapping. */
    if (incremental && index - r->cons - 1 < r->prod - r->cons)
        return index;
    return r->cons;
}

/* The bytes from pos up to prod contiguous in the buffer, at most max. */
static uint32_t conring_chunk(const struct conring *r, uint32_t pos, uint32_t prod, uint32_t max,
                              const char **chunk)
{
    uint32_t off = pos & (r->size - 1);
    uint32_t len = prod - pos;

    if (len > r->size - off)
        len = r->size - off;
    if (len > max)
        len = max;
    *chunk = &r->buf[off];
    return len;
}

int conring_copy(const struct conring *r, uint32_t pos, uint32_t prod, uint32_t max,
                 conring_copy_fn copy, void *ctx, uint32_t *done)
{
    const char *chunk;
    uint32_t len;
    int rc;

    *done = 0;
    while ((len = conring_chunk(r, pos + *done, prod, max - *done, &chunk))) {
        rc = copy(ctx, *done, chunk, len);
        if (rc)
            return rc;
        *done += len;
    }
    return 0;
}

void conring_clear(struct conring *r, uint32_t pos)
{
    r->cons = r->prod - pos > r->size ? r->prod - r->size : pos;
}
