// SPDX-License-Identifier: GPL-2.0-or-later
/* Server role: listening sockets, accepting sites, max-clients and duplicate-cn. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "peer.h"
#include "roles.h"

static void on_listen_event(struct watch *w, uint32_t events)
{
	struct listener *l = container_of(w, struct listener, watch);
	struct vpn *vpn = l->vpn;

	(void)events;
	/* Strategy: accept everything pending (bounded), so a burst of sites is taken in one go. */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn(errno, "accept");
			return;
		}
		/* Connections still in their handshake count too, so a flood of idle TCP
		 * connections cannot take more than max-clients slots (hand-window frees them). */
		if (vpn->n_peers >= vpn->cfg->max_clients) {
			log_warnx("refusing a connection: max-clients %u reached",
			          vpn->cfg->max_clients);
			close(fd);
			continue;
		}
		peer_new(vpn, fd, (struct sockaddr *)&ss, len, false);
	}
}

static int listen_on(struct vpn *vpn, const struct addrinfo *ai)
{
	struct listener *l = &vpn->listeners[vpn->n_listeners];
	int fd, one = 1, zero = 0;
	char port[8];

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	l->vpn = vpn;
	l->watch.fd = fd;
	l->watch.on_event = on_listen_event;
	if (vpn_watch(vpn, &l->watch, EPOLLIN) < 0) {
		close(fd);
		return -EIO;
	}
	vpn->n_listeners++;
	snprintf(port, sizeof(port), "%u", vpn->cfg->local_port);
	log_notice("listening on TCP %s port %s", vpn->cfg->local ? vpn->cfg->local : "*", port);
	return 0;
}

int server_listen(struct vpn *vpn)
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
		ret = listen_on(vpn, res);
		freeaddrinfo(res);
		res = NULL;
	} else {
		ret = -EADDRNOTAVAIL;
	}
	if (ret < 0 && hints.ai_family == AF_INET6 && !vpn->cfg->local &&
	    vpn->cfg->family == AF_UNSPEC) {
		hints.ai_family = AF_INET;
		if (getaddrinfo(NULL, port, &hints, &res) == 0) {
			ret = listen_on(vpn, res);
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
		vpn_watch(vpn, &vpn->listeners[i].watch, 0);
		close(vpn->listeners[i].watch.fd);
	}
	vpn->n_listeners = 0;
}

bool server_peer_verified(struct peer *p)
{
	struct vpn *vpn = p->vpn;

	if (vpn->cfg->duplicate_cn)
		return true;
	/* As OpenVPN: a new connection with a CN already connected replaces the old one, which
	 * is what makes a site's reconnect after a broken TCP link fast. */
	for (struct peer *q = vpn->peers; q; q = q->next) {
		if (q == p || q->state != PEER_UP)
			continue;
		if (!strcmp(q->cn, p->cn))
			peer_close(q, "replaced by a new connection with the same CN");
	}
	return true;
}
