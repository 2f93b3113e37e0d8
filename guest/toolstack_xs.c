/* SPDX-License-Identifier: MIT */
/*
 * The store as the toolstack sees it. With xenstored=dom0 the daemon runs
 * beside the toolstack in this domain and is called directly; with a
 * xenstore domain of its own (xenstored=domN) this domain is one of its
 * clients, privileged as the control domain, over the ring start_info
 * names (guest/xenbus.c), and the daemon there finds new domains itself.
 */
#include <guest/events.h>
#include <guest/kernel.h>
#include <guest/toolstack.h>
#include <guest/xenbus.h>
#include <guest/xenstored.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

static domid_t ts_store_domid; /* 0: the daemon is here */

int ts_xs_start(void)
{
    struct evtchn_status st;
    evtchn_port_t port = kernel_start_info->store_evtchn;

    if (!port)
        return xenstored_start();
    /* Our store port, bound or not yet, names the xenstore domain. */
    if (evtchn_status(DOMID_SELF, port, &st))
        return -1;
    ts_store_domid = st.status == EVTCHNSTAT_unbound ? st.u.unbound.dom : st.u.interdomain.dom;
    return ts_store_domid ? 0 : -1;
}

domid_t ts_xs_domid(void)
{
    return ts_store_domid;
}

void ts_xs_discover(void)
{
    if (!ts_store_domid)
        xenstored_discover();
}

unsigned int ts_xs_serve(evtchn_port_t *ports)
{
    return ts_store_domid ? 0 : xenstored_serve(ports);
}

int ts_xs_write(const char *path, const char *value)
{
    if (!ts_store_domid)
        return xenstored_write(path, value);
    return xenbus_call(XS_WRITE, 0, path, value) == XS_WRITE ? 0 : -1;
}

int ts_xs_read(const char *path, char *buf, size_t len)
{
    if (!ts_store_domid)
        return xenstored_read(path, buf, len);
    if (xenbus_call(XS_READ, 0, path, NULL) != XS_READ)
        return -1;
    strlcpy(buf, xenbus.reply, len);
    return 0;
}

int ts_xs_directory(const char *path, char *buf, size_t size, size_t *len)
{
    if (!ts_store_domid)
        return xenstored_directory(path, buf, size, len);
    if (xenbus_call(XS_DIRECTORY, 0, path, NULL) != XS_DIRECTORY)
        return -1;
    *len = xenbus.reply_len < size ? xenbus.reply_len : size;
    memcpy(buf, xenbus.reply, *len);
    return 0;
}

bool ts_xs_serving(domid_t domid)
{
    char id[8];

    if (!ts_store_domid)
        return xenstored_serving(domid);
    snprintf(id, sizeof(id), "%u", domid);
    return xenbus_call(XS_IS_DOMAIN_INTRODUCED, 0, id, NULL) == XS_IS_DOMAIN_INTRODUCED &&
           !strcmp(xenbus.reply, "T");
}

long ts_xs_nodes(void)
{
    return ts_store_domid ? -1 : (long)xenstored_nodes();
}
