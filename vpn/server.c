// SPDX-License-Identifier: GPL-2.0-or-later
/* Server role: listening sockets, accepting sites (within the pre-authentication budget),
 * max-clients, switch ports and duplicate-cn. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ccd.h"
#include "log.h"
#include "mactable.h"
#include "peer.h"
#include "preauth.h"
#include "roles.h"
#include "tunnel.h"

#define LISTEN_BACKLOG 4096 /* the kernel caps it at somaxconn */

static bool server_peer_verified(struct peer *p);
static void server_peer_up(struct peer *p);
static void server_peer_closed(struct peer *p, bool was_up);

/* The server's side of each site's peer. */
static const struct peer_owner server_owner = {
	.verified = server_peer_verified,
	.up = server_peer_up,
	.frame = tunnel_frame_from_peer,
	.closed = server_peer_closed,
};

static void on_listen_event(struct watch *w, uint32_t events)
{
	struct listener *l = container_of(w, struct listener, watch);
	struct vpn *vpn = l->vpn;

	(void)events;
	/* Strategy: accept everything pending (bounded), so a burst of sites is taken in one go;
	 * each newcomer must fit the pre-authentication budget. Out of descriptors, the budget
	 * makes room or the listeners pause instead of spinning on a level-triggered EMFILE. */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || !preauth_accept_failed(vpn, errno))
				return;
			continue;
		}
		preauth_accept_ok(vpn);
		if (!preauth_admit(vpn, &ss)) {
			close(fd);
			continue;
		}
		peer_new(vpn, &server_owner, fd, (struct sockaddr *)&ss, len, false);
	}
}

static int listen_on(struct vpn *vpn, const struct addrinfo *ai, bool accept_now)
{
	struct listener *l = &vpn->listeners[vpn->n_listeners];
	int fd, one = 1, zero = 0;
	char port[8];

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (vpn->cfg->tcp_congestion) {
		int err = peer_set_congestion(fd, vpn->cfg->tcp_congestion);
		if (err < 0) {
			close(fd);
			return err;
		}
	}
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    (accept_now && listen(fd, LISTEN_BACKLOG) < 0)) {
		int err = -errno;
		close(fd);
		return err;
	}
	l->vpn = vpn;
	l->watch.fd = fd;
	l->watch.on_event = on_listen_event;
	if (accept_now && vpn_watch(vpn, &l->watch, EPOLLIN) < 0) {
		close(fd);
		return -EIO;
	}
	vpn->n_listeners++;
	snprintf(port, sizeof(port), "%u", vpn->cfg->local_port);
	if (accept_now)
		log_notice("listening on TCP %s port %s", vpn->cfg->local ? vpn->cfg->local : "*",
		           port);
	else
		log_notice("bound TCP %s port %s; not listening until the hold is released",
		           vpn->cfg->local ? vpn->cfg->local : "*", port);
	return 0;
}

int server_accept(struct vpn *vpn, bool on)
{
	for (int i = 0; i < vpn->n_listeners; i++) {
		struct listener *l = &vpn->listeners[i];

		/* listen() again on a listening socket only sets its backlog again. */
		if (on && listen(l->watch.fd, LISTEN_BACKLOG) < 0) {
			int err = -errno;
			log_error(err, "listen on TCP port %u", vpn->cfg->local_port);
			return err;
		}
		if ((l->watch.events != 0) != on && vpn_watch(vpn, &l->watch, on ? EPOLLIN : 0) < 0)
			return -EIO;
	}
	return 0;
}

int server_listen(struct vpn *vpn, bool accept_now)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char port[8];
	int ret;

	hints.ai_family = vpn->cfg->family;
	if (!vpn->cfg->local && vpn->cfg->family == AF_UNSPEC)
		hints.ai_family = AF_INET6; /* one dual-stack socket; IPv4 below if no IPv6 */
	snprintf(port, sizeof(port), "%u", vpn->cfg->local_port);
	ret = getaddrinfo(vpn->cfg->local, port, &hints, &res);
	if (ret == 0) {
		ret = listen_on(vpn, res, accept_now);
		freeaddrinfo(res);
		res = NULL;
	} else {
		ret = -EADDRNOTAVAIL;
	}
	if (ret < 0 && hints.ai_family == AF_INET6 && !vpn->cfg->local &&
	    vpn->cfg->family == AF_UNSPEC) {
		hints.ai_family = AF_INET;
		if (getaddrinfo(NULL, port, &hints, &res) == 0) {
			ret = listen_on(vpn, res, accept_now);
			freeaddrinfo(res);
		}
	}
	if (ret < 0)
		log_error(ret, "cannot listen on TCP %s port %s",
		          vpn->cfg->local ? vpn->cfg->local : "*", port);
	return ret;
}

void server_close(struct vpn *vpn)
{
	for (int i = 0; i < vpn->n_listeners; i++) {
		if (vpn->listeners[i].watch.events)
			vpn_watch(vpn, &vpn->listeners[i].watch, 0);
		close(vpn->listeners[i].watch.fd);
	}
	vpn->n_listeners = 0;
}

/* Make vpn->port_peers hold at least N entries (doubling). 0 or -ENOMEM. */
static int grow_port_peers(struct vpn *vpn, size_t n)
{
	size_t cap = vpn->n_port_peers ? vpn->n_port_peers : 16;
	struct peer **grown;

	while (cap < n)
		cap *= 2;
	grown = realloc(vpn->port_peers, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memset(grown + vpn->n_port_peers, 0, (cap - vpn->n_port_peers) * sizeof(*grown));
	vpn->port_peers = grown;
	vpn->n_port_peers = cap;
	return 0;
}

/* A peer completed its HELLO: apply duplicate-cn (an older link with the same CN is replaced),
 * then max-clients, and give it a switch port. false: the new peer was refused (a goodbye
 * saying why is on its way). */
static bool server_peer_verified(struct peer *p)
{
	struct vpn *vpn = p->vpn;
	unsigned up = 0;
	int port;

	/* Its policy first: a disabled site must not replace a connection of its CN. */
	if (ccd_policy(vpn->cfg, p->cn, p->label, &p->policy) < 0) {
		peer_goodbye(p, "refused by the server's client-config-dir");
		return false;
	}

	/* As OpenVPN: a new connection with a CN already connected replaces the old one, which
	 * is what makes a site's reconnect after a broken TCP link fast (and is never refused
	 * by max-clients, as it takes the old one's place). */
	for (struct peer *q = vpn->peers; q; q = q->next) {
		if (q == p || q->state != PEER_UP)
			continue;
		if (!vpn->cfg->duplicate_cn && !strcmp(q->cn, p->cn))
			peer_close(q, "replaced by a new connection with the same CN");
		else
			up++;
	}
	if (up >= vpn->cfg->max_clients || (port = portmap_take(vpn->ports)) < 0) {
		preauth_refused(vpn, REFUSED_MAX_CLIENTS, p->label);
		peer_goodbye(p, "max-clients reached, try again later");
		return false;
	}
	if ((size_t)port >= vpn->n_port_peers && grow_port_peers(vpn, (size_t)port + 1) < 0) {
		portmap_put(vpn->ports, port);
		log_errorx("out of memory");
		peer_goodbye(p, "server out of memory");
		return false;
	}
	vpn->port_peers[port] = p;
	p->port = port;
	storm_port_set(&p->storm, p->policy.storm);
	mactable_set_port_limits(vpn->macs, port, p->policy.max_macs, p->policy.mac_age);
	return true;
}

/* The site's link is up: the tap's offloads follow what the up peers can take. */
static void server_peer_up(struct peer *p)
{
	tunnel_update_offloads(p->vpn);
}

/* A peer is gone: its MACs are forgotten and its switch port is free again. */
static void server_peer_closed(struct peer *p, bool was_up)
{
	if (was_up)
		tunnel_peer_gone(p);
	if (p->port > 0) {
		mactable_clear_port_limits(p->vpn->macs, p->port);
		portmap_put(p->vpn->ports, p->port);
		p->vpn->port_peers[p->port] = NULL;
	}
	p->port = PORT_NONE;
}
