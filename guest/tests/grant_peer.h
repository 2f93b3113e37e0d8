/* SPDX-License-Identifier: MIT */
/*
 * Grant tables v1 between two domains (Xenolith-only: booted side by side
 * by tests/integration/test_grant_domains.py, never by the differential
 * test). grant_peer.c is the granter's side (domain 1), grant_mapper.c
 * the mapper's (domain 0), grant_hostile.c one domain alone; all reuse
 * the grant suite's helpers and L3/L2/L1 chain (grant_test.h).
 *
 *   domain 1                 domain 0                    what ends first
 *   grant_granter            grant_mapper                nobody
 *   grant_granter_dies       grant_survivor[_*]          the granter
 *   grant_granter_outlives   grant_mapper_dies           the mapper
 *   grant_granter_restarts   grant_survivor_restart      the granter, restarted
 *   grant_granter_lives      grant_survivor_{xen_frames,foreign}   the same
 *
 * The two share nothing but the pages domain 1 grants; the first of them
 * (PEER_REF_RW) carries the handshake, one word per step:
 *   granter: magic, then the grants      mapper: maps them, replies
 *   granter: sees the in-use flags, acks
 *   mapper:  copies, unmaps              granter: sees the flags clear
 * Each side waits for the other by polling, with a timeout, yielding.
 *
 * A restarted granter (on_poweroff = "restart") keeps its domid; its new
 * life exists only once the old one is wholly destroyed, so the mapper
 * waits for it (a new W_LIFE) to act "after the granter's destruction"
 * deterministically; it polls with copies from PEER_REF_LIFE, which no
 * check of the granter's looks at (a copy marks its grant in use while
 * it runs). The new life ends for good (reboot, which the test maps to
 * destroy) when the mapper says so in W_LAST.
 */
#ifndef GUEST_TESTS_GRANT_PEER_H
#define GUEST_TESTS_GRANT_PEER_H

#include "grant_test.h"

#define PEER_MAPPER    0 /* domain ids, as the integration test builds them */
#define PEER_GRANTER   1
#define PEER_NO_DOMAIN 2
#define PEER_OTHER_DOM 5 /* a grantee that never maps anything */

#define PEER_REF_RW     10 /* the handshake page, granted writable */
#define PEER_REF_RO     11 /* a pattern, granted read-only */
#define PEER_REF_PT     12 /* zeros, granted writable: no page table while mapped */
#define PEER_REF_OTHER  13 /* the handshake page, granted to PEER_OTHER_DOM */
#define PEER_REF_SPARE  14 /* never granted: a swap partner */
#define PEER_REF_SHINFO 15 /* the granter's shared_info frame, read-only */
#define PEER_REF_GTAB   16 /* the granter's grant-table frame, read-only */
#define PEER_REF_LIFE   17 /* the handshake page again, read-only: copied from to poll */

/* Words of the handshake page, and where the mapper copies into it. */
#define W_MAGIC       0
#define W_REPLY       1
#define W_ACK         2
#define W_LIFE        3 /* the granter's TSC when it granted: tells its lives apart */
#define W_LAST        4 /* PEER_LAST, written before the reply: end for good */
#define W_SHINFO      5 /* the granter's shared_info frame */
#define W_GTAB        6 /* the granter's first grant-table frame */
#define PEER_MAGIC    0x6772616e7401ceUL
#define PEER_REPLY    0x7265706c79b0b0UL
#define PEER_ACK      0x61636b6e6f77UL
#define PEER_LAST     0x6c617374UL
#define PEER_COPY_OFF 2048
#define PEER_COPY_SRC 100
#define PEER_COPY_LEN 64

/* Generous: both domains run under TCG, sharing pCPUs. */
#define PEER_TIMEOUT_NS (15ULL * 1000 * 1000 * 1000)

#define GTF_IN_USE (GTF_reading | GTF_writing)

/* The grant suite's chain, unless that suite set it up in this boot. */
void grant_peer_setup(void);
/* Polls `ready` until it holds (true) or PEER_TIMEOUT_NS pass (false). */
bool peer_wait(bool (*ready)(void));
/* One GNTTABOP_copy: a negative errno, or its status. */
long peer_copy(struct gnttab_copy c);
/* The read-only page's byte i. */
uint8_t peer_pattern(unsigned int i);

#endif
