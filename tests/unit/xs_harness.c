/* SPDX-License-Identifier: MIT */
/* The xenstore tests' harness (xs_harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xs_harness.h"

struct xs_store xs_h_store;
struct xs_conn *xs_h_dom0;
long xs_h_fail_after = -1;
long xs_h_introduced[8];
unsigned int xs_h_nr_introduced;
static size_t bytes_in_use;

/* Each block remembers its size, so a wrong size given to free is caught. */
static void *h_alloc(void *ctx, size_t size)
{
    size_t *p;

    (void)ctx;
    if (xs_h_fail_after == 0) {
        xs_h_fail_after = -1;
        return NULL;
    }
    if (xs_h_fail_after > 0)
        xs_h_fail_after--;
    p = malloc(sizeof(size_t) + size + 1);
    assert_non_null(p);
    *p = size;
    bytes_in_use += size;
    return p + 1;
}

static void h_free(void *ctx, void *ptr, size_t size)
{
    size_t *p = (size_t *)ptr - 1;

    (void)ctx;
    assert_int_equal(*p, size);
    bytes_in_use -= size;
    free(p);
}

static int h_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    (void)mfn;
    (void)port;
    if (xs_h_nr_introduced < 8)
        xs_h_introduced[xs_h_nr_introduced++] = domid;
    return domid == 666 ? -ENOMEM : 0; /* domid 666: the daemon cannot map its ring */
}

static void h_release(void *ctx, uint16_t domid)
{
    (void)ctx;
    (void)domid;
}

static const struct xs_alloc h_alloc_ops = {h_alloc, h_free, NULL};
static const struct xs_hooks h_hooks = {h_introduce, h_release, NULL};

size_t xs_h_bytes_in_use(void)
{
    return bytes_in_use;
}

void xs_h_setup(const struct xs_quota *quota)
{
    assert_int_equal(bytes_in_use, 0);
    xs_h_fail_after = -1;
    xs_h_nr_introduced = 0;
    assert_int_equal(xs_store_init(&xs_h_store, &h_alloc_ops, &h_hooks, quota), 0);
    assert_int_equal(xs_conn_open(&xs_h_store, 0, true, 0, 0, &xs_h_dom0), 0);
}

void xs_h_teardown(void)
{
    xs_h_fail_after = -1;
    xs_store_destroy(&xs_h_store);
    assert_int_equal(bytes_in_use, 0);
}

struct xs_conn *xs_h_domu(uint16_t domid)
{
    struct xs_conn *c;

    assert_int_equal(xs_conn_open(&xs_h_store, domid, false, 100 + domid, 1, &c), 0);
    return c;
}

int xs_h_send(struct xs_conn *c, uint32_t type, uint32_t tx_id, const void *payload, size_t len)
{
    static unsigned char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 16];
    struct xsd_sockmsg hdr = {type, 77, tx_id, (uint32_t)len};

    assert_true(len <= XENSTORE_PAYLOAD_MAX + 16);
    memcpy(buf, &hdr, sizeof(hdr));
    memcpy(buf + sizeof(hdr), payload, len);
    return xs_request(&xs_h_store, c, buf, sizeof(hdr) + len);
}

int xs_h_req(struct xs_conn *c, uint32_t type, uint32_t tx_id, ...)
{
    static char payload[XENSTORE_PAYLOAD_MAX + 16];
    size_t len = 0;
    const char *s;
    va_list ap;

    va_start(ap, tx_id);
    while ((s = va_arg(ap, const char *))) {
        size_t n = strlen(s) + 1;

        assert_true(len + n <= sizeof(payload));
        memcpy(payload + len, s, n);
        len += n;
    }
    va_end(ap);
    return xs_h_send(c, type, tx_id, payload, len);
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {
        [XS_DIRECTORY] = "DIRECTORY",
        [XS_READ] = "READ",
        [XS_GET_PERMS] = "GET_PERMS",
        [XS_WATCH] = "WATCH",
        [XS_UNWATCH] = "UNWATCH",
        [XS_TRANSACTION_START] = "TRANSACTION_START",
        [XS_TRANSACTION_END] = "TRANSACTION_END",
        [XS_INTRODUCE] = "INTRODUCE",
        [XS_RELEASE] = "RELEASE",
        [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
        [XS_WRITE] = "WRITE",
        [XS_MKDIR] = "MKDIR",
        [XS_RM] = "RM",
        [XS_SET_PERMS] = "SET_PERMS",
        [XS_WATCH_EVENT] = "WATCH_EVENT",
        [XS_ERROR] = "ERROR",
        [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
        [XS_RESUME] = "RESUME",
        [XS_RESET_WATCHES] = "RESET_WATCHES",
    };

    return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}

const char *xs_h_pop(struct xs_conn *c)
{
    static char out[2 * XENSTORE_PAYLOAD_MAX];
    struct xs_msg *m = xs_conn_pop(c);
    size_t len, i;

    if (!m)
        return "";
    /* Events carry no request id; replies echo the request's. */
    assert_int_equal(m->hdr.req_id, m->hdr.type == XS_WATCH_EVENT ? 0 : 77);
    len = (size_t)snprintf(out, sizeof(out), "%s:", type_name(m->hdr.type));
    for (i = 0; i < m->hdr.len; i++)
        out[len++] = m->body[i] ? m->body[i] : '|';
    out[len] = '\0';
    xs_msg_free(&xs_h_store, m);
    return out;
}

unsigned int xs_h_drain(struct xs_conn *c)
{
    unsigned int n = 0;

    while (*xs_h_pop(c))
        n++;
    return n;
}

int xs_h_fixture_setup(void **state)
{
    (void)state;
    xs_h_setup(NULL);
    return 0;
}

int xs_h_fixture_teardown(void **state)
{
    (void)state;
    xs_h_teardown();
    return 0;
}
