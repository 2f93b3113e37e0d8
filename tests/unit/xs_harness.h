/* SPDX-License-Identifier: MIT */
/*
 * Shared by the xenstore tests: a counting host allocator that can be told
 * to fail, a store with dom0 connected, and requests sent as a ring would
 * carry them, their replies popped back as (type, payload).
 */
#ifndef XS_HARNESS_H
#define XS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore/xs_proto.h>

extern struct xs_store xs_h_store;
extern struct xs_conn *xs_h_dom0;
extern long xs_h_fail_after;    /* allocations before the one that fails; < 0: none fails */
extern long xs_h_introduced[8]; /* domids the introduce hook saw, in order */
extern unsigned int xs_h_nr_introduced;

/* A fresh store (quota NULL: defaults) with dom0 connected; checks the last one freed all. */
void xs_h_setup(const struct xs_quota *quota);
void xs_h_teardown(void);
size_t xs_h_bytes_in_use(void);
/* A domU connection as INTRODUCE would make it. */
struct xs_conn *xs_h_domu(uint16_t domid);

/* Sends type/tx_id with payload; returns xs_request's result. */
int xs_h_send(struct xs_conn *c, uint32_t type, uint32_t tx_id, const void *payload, size_t len);
/* Ends xs_h_req's strings (typed, as a variadic argument must be). */
#define XS_END ((const char *)NULL)
/* Strings joined by NULs, each terminated: xs_h_req(c, XS_READ, 0, "a", XS_END). */
int xs_h_req(struct xs_conn *c, uint32_t type, uint32_t tx_id, ...);
/*
 * The next queued message as "TYPE:payload" with NULs shown as '|', e.g.
 * "READ:v", "ERROR:EINVAL|", "WATCH_EVENT:/a|tok|"; "" when none.
 */
const char *xs_h_pop(struct xs_conn *c);
/* Pops everything queued on c and returns how many there were. */
unsigned int xs_h_drain(struct xs_conn *c);

/* The tests' shorthands: a request as dom0 would send it, the next reply
 * checked, dom0's connection; and cmocka fixtures around a fresh store. */
#define REQ(c, type, ...) assert_int_equal(xs_h_req(c, type, 0, __VA_ARGS__, XS_END), 0)
#define POP(c, expect)    assert_string_equal(xs_h_pop(c), expect)
#define D0                xs_h_dom0
int xs_h_fixture_setup(void **state);
int xs_h_fixture_teardown(void **state);

#endif
