// SPDX-License-Identifier: GPL-2.0-or-later
/* Bridges, ports and link attributes over rtnetlink (libnl-route-3). */
#include "tapbridge.h"
#include "error.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb_nl {
	struct nl_sock *sock;
};

/* libnl folds the kernel's errno into its own NLE_* codes; this undoes that. */
static int errno_from_nl(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT:
	case NLE_NOATTR:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_IMMUTABLE:
		return -EROFS;
	default:
		return -EIO;
	}
}

int tb_nl_open(struct tb_nl **nl, struct tb_err *err)
{
	struct tb_nl *s = calloc(1, sizeof(*s));
	int ret = 0;

	*nl = NULL;
	if (!s)
		return tb_fail(err, -ENOMEM, "rtnetlink session");
	s->sock = nl_socket_alloc();
	if (!s->sock) {
		ret = tb_fail(err, -ENOMEM, "rtnetlink socket");
		goto fail;
	}
	ret = nl_connect(s->sock, NETLINK_ROUTE);
	if (ret < 0) {
		ret = tb_fail(err, errno_from_nl(ret), "connect to rtnetlink");
		goto fail;
	}
	*nl = s;
	return 0;
fail:
	tb_nl_close(s);
	return ret;
}

void tb_nl_close(struct tb_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		nl_socket_free(nl->sock);
	free(nl);
}

/* Fetch link NAME from the kernel into *LINK (the caller puts it). -ENODEV when absent. */
static int link_get(struct tb_nl *nl, const char *name, struct rtnl_link **link, struct tb_err *err)
{
	int ret = tb_name_check(name, err);

	*link = NULL;
	if (ret < 0)
		return ret;
	ret = rtnl_link_get_kernel(nl->sock, 0, name, link);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		if (ret == -ENODEV && err)
			snprintf(err->msg, sizeof(err->msg), "no such device %s", name);
		else
			tb_fail(err, ret, "look up %s", name);
		*link = NULL;
	}
	return ret;
}

/* Fetch bridge NAME into *LINK; -EMEDIUMTYPE when NAME is not a bridge. */
static int bridge_get(struct tb_nl *nl, const char *name, struct rtnl_link **link,
                      struct tb_err *err)
{
	int ret = link_get(nl, name, link, err);

	if (ret == -ENODEV && err)
		snprintf(err->msg, sizeof(err->msg), "no such bridge %s", name);
	if (ret < 0)
		return ret;
	if (!rtnl_link_is_bridge(*link)) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s exists and is not a bridge", name);
		rtnl_link_put(*link);
		*link = NULL;
		return -EMEDIUMTYPE;
	}
	return 0;
}

static int bridge_create(struct tb_nl *nl, const char *name, struct tb_err *err)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	int ret;

	if (!link)
		return tb_fail(err, -ENOMEM, "create bridge %s", name);
	rtnl_link_set_name(link, name);
	ret = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	if (ret < 0)
		ret = tb_fail(err, errno_from_nl(ret), "create bridge %s", name);
	rtnl_link_put(link);
	return ret;
}

int tb_bridge_find(struct tb_nl *nl, const char *name, bool create, struct tb_err *err)
{
	struct rtnl_link *link = NULL;
	int ret = bridge_get(nl, name, &link, err);

	if (ret == -ENODEV && create)
		ret = bridge_create(nl, name, err);
	if (link)
		rtnl_link_put(link);
	return ret;
}

int tb_bridge_delete(struct tb_nl *nl, const char *name, struct tb_err *err)
{
	struct rtnl_link *link = NULL;
	int ret = bridge_get(nl, name, &link, err);

	if (ret < 0)
		goto out;
	ret = rtnl_link_delete(nl->sock, link);
	if (ret < 0)
		ret = tb_fail(err, errno_from_nl(ret), "delete bridge %s", name);
out:
	if (link)
		rtnl_link_put(link);
	return ret;
}

int tb_port_attach(struct tb_nl *nl, const char *bridge, const char *port, struct tb_err *err)
{
	struct rtnl_link *master = NULL, *slave = NULL;
	int ret = bridge_get(nl, bridge, &master, err);

	if (ret < 0)
		goto out;
	ret = link_get(nl, port, &slave, err);
	if (ret < 0)
		goto out;
	if (rtnl_link_get_master(slave) == rtnl_link_get_ifindex(master))
		goto out; /* already there: attaching is idempotent */
	ret = rtnl_link_enslave(nl->sock, master, slave);
	if (ret < 0)
		ret = tb_fail(err, errno_from_nl(ret), "attach %s to %s", port, bridge);
out:
	if (slave)
		rtnl_link_put(slave);
	if (master)
		rtnl_link_put(master);
	return ret;
}

int tb_port_detach(struct tb_nl *nl, const char *port, struct tb_err *err)
{
	struct rtnl_link *slave = NULL;
	int ret = link_get(nl, port, &slave, err);

	if (ret < 0 || rtnl_link_get_master(slave) == 0)
		goto out;
	ret = rtnl_link_release(nl->sock, slave);
	if (ret < 0)
		ret = tb_fail(err, errno_from_nl(ret), "detach %s from its bridge", port);
out:
	if (slave)
		rtnl_link_put(slave);
	return ret;
}

/* Apply CHANGE to link NAME; WHAT names the change in error messages. */
static int link_change(struct tb_nl *nl, const char *name, struct rtnl_link *change,
                       const char *what, struct tb_err *err)
{
	struct rtnl_link *orig = NULL;
	int ret = link_get(nl, name, &orig, err);

	if (ret < 0)
		goto out;
	ret = rtnl_link_change(nl->sock, orig, change, 0);
	if (ret < 0)
		ret = tb_fail(err, errno_from_nl(ret), "%s %s", what, name);
out:
	if (orig)
		rtnl_link_put(orig);
	return ret;
}

int tb_link_set_up(struct tb_nl *nl, const char *name, bool up, struct tb_err *err)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int ret;

	if (!change)
		return tb_fail(err, -ENOMEM, "set %s %s", name, up ? "up" : "down");
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	ret = link_change(nl, name, change, up ? "set up" : "set down", err);
	rtnl_link_put(change);
	return ret;
}

int tb_link_set_mtu(struct tb_nl *nl, const char *name, unsigned mtu, struct tb_err *err)
{
	struct rtnl_link *change = rtnl_link_alloc();
	char what[48];
	int ret;

	snprintf(what, sizeof(what), "set MTU %u on", mtu);
	if (!change)
		return tb_fail(err, -ENOMEM, "%s %s", what, name);
	rtnl_link_set_mtu(change, mtu);
	ret = link_change(nl, name, change, what, err);
	rtnl_link_put(change);
	return ret;
}

int tb_link_set_txqueuelen(struct tb_nl *nl, const char *name, unsigned qlen, struct tb_err *err)
{
	struct rtnl_link *change = rtnl_link_alloc();
	char what[48];
	int ret;

	snprintf(what, sizeof(what), "set txqueuelen %u on", qlen);
	if (!change)
		return tb_fail(err, -ENOMEM, "%s %s", what, name);
	rtnl_link_set_txqlen(change, qlen);
	ret = link_change(nl, name, change, what, err);
	rtnl_link_put(change);
	return ret;
}

int tb_link_set_mac(struct tb_nl *nl, const char *name, const uint8_t mac[6], struct tb_err *err)
{
	struct rtnl_link *change = rtnl_link_alloc();
	struct nl_addr *addr = nl_addr_build(AF_LLC, mac, 6);
	int ret = -ENOMEM;

	if (!change || !addr) {
		tb_fail(err, ret, "set MAC address of %s", name);
		goto out;
	}
	rtnl_link_set_addr(change, addr);
	ret = link_change(nl, name, change, "set MAC address of", err);
out:
	if (addr)
		nl_addr_put(addr);
	if (change)
		rtnl_link_put(change);
	return ret;
}

int tb_link_get_mac(struct tb_nl *nl, const char *name, uint8_t mac[6], struct tb_err *err)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *addr;
	int ret = link_get(nl, name, &link, err);

	if (ret < 0)
		goto out;
	addr = rtnl_link_get_addr(link);
	if (!addr || nl_addr_get_len(addr) != 6) {
		ret = -EADDRNOTAVAIL;
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s has no Ethernet address", name);
		goto out;
	}
	memcpy(mac, nl_addr_get_binary_addr(addr), 6);
out:
	if (link)
		rtnl_link_put(link);
	return ret;
}

int tb_link_get_ifindex(struct tb_nl *nl, const char *name, struct tb_err *err)
{
	struct rtnl_link *link = NULL;
	int ret = link_get(nl, name, &link, err);

	if (ret < 0)
		return ret;
	ret = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return ret;
}

int tb_link_get_master(struct tb_nl *nl, const char *name, char master[TB_NAME_MAX + 1],
                       struct tb_err *err)
{
	struct rtnl_link *link = NULL, *bridge = NULL;
	int ret = link_get(nl, name, &link, err);
	int index;

	master[0] = '\0';
	if (ret < 0)
		goto out;
	index = rtnl_link_get_master(link);
	if (index == 0)
		goto out;
	ret = rtnl_link_get_kernel(nl->sock, index, NULL, &bridge);
	if (ret < 0) {
		ret = tb_fail(err, errno_from_nl(ret), "look up the master of %s", name);
		goto out;
	}
	snprintf(master, TB_NAME_MAX + 1, "%s", rtnl_link_get_name(bridge));
out:
	if (bridge)
		rtnl_link_put(bridge);
	if (link)
		rtnl_link_put(link);
	return ret;
}
