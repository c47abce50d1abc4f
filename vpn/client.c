// SPDX-License-Identifier: GPL-2.0-or-later
/* Client role: try the remotes in order, re-resolving names each time, with a doubling backoff
 * (connect-retry N MAX) that resets after a working session. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "peer.h"
#include "roles.h"
#include "tunnel.h"

#define STABLE_SESSION_MS 5000 /* a session this long resets the backoff when it ends */

static void client_peer_up(struct peer *p);
static void client_peer_closed(struct peer *p, bool was_up);

/* The client's side of its one peer. */
static const struct peer_owner client_owner = {
	.up = client_peer_up,
	.frame = tunnel_frame_from_peer,
	.closed = client_peer_closed,
};

static unsigned first_wait(const struct vpn *vpn)
{
	return vpn->cfg->connect_retry ? vpn->cfg->connect_retry : 1;
}

static void schedule_retry(struct vpn *vpn)
{
	struct client_state *c = &vpn->client;
	unsigned max = vpn->cfg->connect_retry_max_wait ? vpn->cfg->connect_retry_max_wait : 60;

	/* The wait starts at connect-retry seconds and doubles with each failed attempt up to
	 * MAX; a working session resets it. */
	if (!c->backoff)
		c->backoff = first_wait(vpn);
	c->next_attempt_ms = vpn_now_ms() + (uint64_t)c->backoff * 1000;
	log_info("next connection attempt in %u s", c->backoff);
	c->attempts++;
	c->backoff = c->backoff * 2 > max ? max : c->backoff * 2;
	if (vpn->cfg->connect_retry_max &&
	    c->attempts >= vpn->cfg->connect_retry_max * vpn->cfg->n_remotes) {
		log_errorx(
		    "no connection after %u attempts per remote (connect-retry-max): exiting",
		    vpn->cfg->connect_retry_max);
		vpn->run = STOP;
		vpn->exit_code = 1;
	}
}

/* tcp-congestion for a new socket. Checked at start as root; after user/group dropped root an
 * algorithm the system does not allow unprivileged processes fails: said once, and the
 * system's default serves. */
static void set_congestion(struct vpn *vpn, int fd)
{
	const char *name = vpn->cfg->tcp_congestion;
	int ret;

	if (!name || (ret = peer_set_congestion(fd, name)) == 0 || vpn->client.congestion_warned)
		return;
	log_warn(-ret, "tcp-congestion %s on a new connection (the system's default serves)", name);
	vpn->client.congestion_warned = true;
}

/* resolv-retry N: give up when names have not resolved for N seconds (infinite by default). */
static void resolve_failed(struct vpn *vpn)
{
	struct client_state *c = &vpn->client;

	if (!c->resolve_failing_since)
		c->resolve_failing_since = vpn->now ? vpn->now : 1;
	if (vpn->cfg->resolv_retry >= 0 &&
	    vpn->now - c->resolve_failing_since >= (uint64_t)vpn->cfg->resolv_retry) {
		log_errorx("names did not resolve for %d s (resolv-retry): exiting",
		           vpn->cfg->resolv_retry);
		vpn->run = STOP;
		vpn->exit_code = 1;
	}
}

/* remote-random: shuffle the remotes once, at start. */
void client_shuffle_remotes(struct vpn *vpn)
{
	struct config *cfg = vpn->cfg;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

	if (!cfg->remote_random)
		return;
	for (size_t i = cfg->n_remotes; i > 1; i--) {
		size_t j = (size_t)rand_r(&seed) % i;
		struct config_remote tmp = cfg->remotes[i - 1];
		cfg->remotes[i - 1] = cfg->remotes[j];
		cfg->remotes[j] = tmp;
	}
}

/* Start a non-blocking connect to the first usable address of REMOTE. */
static int connect_remote(struct vpn *vpn, const struct config_remote *remote)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = vpn->cfg->family };
	struct addrinfo *res, *ai;
	char port[8];
	int ret;

	snprintf(port, sizeof(port), "%u", remote->port ? remote->port : vpn->cfg->remote_port);
	ret = getaddrinfo(remote->host, port, &hints, &res);
	if (ret) {
		log_warnx("cannot resolve %s: %s", remote->host, gai_strerror(ret));
		resolve_failed(vpn);
		return -EHOSTUNREACH;
	}
	vpn->client.resolve_failing_since = 0;
	ret = -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		set_congestion(vpn, fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			log_warn(errno, "connect to %s port %s", remote->host, port);
			close(fd);
			continue;
		}
		log_notice("connecting to %s port %s", remote->host, port);
		ret =
		    peer_new(vpn, &client_owner, fd, ai->ai_addr, ai->ai_addrlen, true) ? 0 : -EIO;
		break;
	}
	freeaddrinfo(res);
	return ret;
}

void client_tick(struct vpn *vpn)
{
	struct client_state *c = &vpn->client;
	const struct config_remote *remote;

	if (vpn->server || vpn->peers || vpn->run != RUN || vpn_now_ms() < c->next_attempt_ms)
		return;
	remote = &vpn->cfg->remotes[c->remote_index];
	c->remote_index = (c->remote_index + 1) % vpn->cfg->n_remotes;
	if (connect_remote(vpn, remote) < 0)
		schedule_retry(vpn);
}

int client_wait_ms(const struct vpn *vpn)
{
	uint64_t now = vpn_now_ms();

	if (vpn->server || vpn->peers)
		return -1;
	if (vpn->client.next_attempt_ms <= now)
		return 0;
	return (int)(vpn->client.next_attempt_ms - now);
}

/* The link is up: its remote is tried first next time. */
static void client_peer_up(struct peer *p)
{
	struct vpn *vpn = p->vpn;

	tunnel_update_offloads(vpn);
	vpn->client.up_since_ms = vpn_now_ms();
	vpn->client.remote_index =
	    (vpn->client.remote_index + vpn->cfg->n_remotes - 1) % vpn->cfg->n_remotes;
}

/* The link went away (or an attempt failed): after a session of some seconds reconnect at once
 * with the backoff reset, else schedule the next attempt with the backoff growing. */
static void client_peer_closed(struct peer *p, bool was_up)
{
	struct vpn *vpn = p->vpn;

	if (was_up)
		tunnel_peer_gone(p);
	if (was_up && vpn_now_ms() - vpn->client.up_since_ms >= STABLE_SESSION_MS) {
		/* A session ended: reconnect at once, then back off from the start. */
		vpn->client.backoff = 0;
		vpn->client.attempts = 0;
		vpn->client.next_attempt_ms = 0;
		return;
	}
	/* Refused right after HELLO (max-clients) or dropped at once: an attempt that failed,
	 * so a server that keeps refusing is not hammered. */
	schedule_retry(vpn);
}

void client_restart_now(struct vpn *vpn)
{
	vpn->client.backoff = 0;
	vpn->client.attempts = 0;
	vpn->client.next_attempt_ms = 0;
}
