// SPDX-License-Identifier: GPL-2.0-or-later
#include "tunnel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mactable.h"
#include "peer.h"

#define TAP_BATCH    256 /* frames drained from the tap per readable event */
#define PORT_TAP     0
#define FLAP_LOG_GAP 10 /* seconds between MAC move warnings */

static void mac_str(const uint8_t *mac, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
	         mac[5]);
}

static struct peer *peer_by_port(struct vpn *vpn, int port)
{
	for (struct peer *p = vpn->peers; p; p = p->next)
		if (p->port == port && p->state == PEER_UP)
			return p;
	return NULL;
}

static const char *port_name(struct vpn *vpn, int port)
{
	struct peer *p;

	if (port == PORT_TAP)
		return vpn->tap.name;
	p = peer_by_port(vpn, port);
	return p ? p->label : "a departed peer";
}

/* Learn the source MAC of a frame that came in on PORT. A MAC that moves ports is followed at
 * once (live migration) and logged; a MAC that keeps moving is logged as a duplicate MAC or a
 * loop, rate-limited. */
static void learn(struct vpn *vpn, const uint8_t *frame, int port)
{
	const uint8_t *src = frame + 6;
	int old_port = -1;
	char mac[18];

	switch (mactable_learn(vpn->macs, src, port, vpn->now, &old_port)) {
	case MAC_NEW:
		if (log_enabled(LOG_LVL_DEBUG)) {
			mac_str(src, mac);
			log_debug("learned %s on %s", mac, port_name(vpn, port));
		}
		break;
	case MAC_MOVED:
		mac_str(src, mac);
		if (!mactable_flapping(vpn->macs, src, vpn->now)) {
			log_notice("MAC %s moved from %s to %s", mac, port_name(vpn, old_port),
			           port_name(vpn, port));
			break;
		}
		if (vpn->now - vpn->last_flap_log < FLAP_LOG_GAP) {
			vpn->flaps_suppressed++;
			break;
		}
		log_warnx("MAC %s is flapping between %s and %s: a duplicate MAC or a loop "
		          "(%u more flap reports suppressed)",
		          mac, port_name(vpn, old_port), port_name(vpn, port),
		          vpn->flaps_suppressed);
		vpn->last_flap_log = vpn->now;
		vpn->flaps_suppressed = 0;
		break;
	case MAC_FULL:
		if (vpn->now - vpn->last_full_log >= FLAP_LOG_GAP) {
			mac_str(src, mac);
			log_warnx("MAC table full: %s on %s not learned (frames to it are flooded)",
			          mac, port_name(vpn, port));
			vpn->last_full_log = vpn->now;
		}
		break;
	default:
		break;
	}
}

static void write_tap(struct vpn *vpn, const uint8_t *frame, size_t len)
{
	ssize_t n = write(vpn->tap.fd, frame, len);

	if (n == (ssize_t)len) {
		vpn->counters.tap_write += len;
		return;
	}
	vpn->counters.tap_drops++;
	if (n < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EIO)
		log_warn(errno, "write to %s", vpn->tap.name);
}

/* Send FRAME from port FROM to every up peer except FROM (and to the tap when TO_TAP). */
static void flood(struct vpn *vpn, const uint8_t *frame, size_t len, int from, bool to_tap)
{
	if (to_tap && from != PORT_TAP)
		write_tap(vpn, frame, len);
	for (struct peer *p = vpn->peers; p; p = p->next)
		if (p->port != from && p->state == PEER_UP)
			peer_send_frame(p, frame, len);
}

/* Server: switch a frame that came from the tap. */
static void switch_from_tap(struct vpn *vpn, const uint8_t *frame, size_t len)
{
	int port;
	struct peer *p;

	learn(vpn, frame, PORT_TAP);
	port = mactable_lookup(vpn->macs, frame, vpn->now);
	if (port == PORT_TAP)
		return; /* the destination is on our side: the bridge should not have sent it */
	if (port > 0 && (p = peer_by_port(vpn, port))) {
		peer_send_frame(p, frame, len);
		return;
	}
	flood(vpn, frame, len, PORT_TAP, false);
}

void tunnel_tap_readable(struct vpn *vpn)
{
	/* Strategy: drain up to TAP_BATCH frames into the peers' send queues; the loop flushes
	 * those queues once afterwards, so many frames share a few large TLS writes. */
	for (int i = 0; i < TAP_BATCH; i++) {
		ssize_t n = read(vpn->tap.fd, vpn->frame_buf, vpn->max_frame + 1);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn(errno, "read from %s", vpn->tap.name);
			return;
		}
		if (n < 14 || (size_t)n > vpn->max_frame) {
			vpn->counters.frames_bad++;
			continue;
		}
		vpn->counters.tap_read += (uint64_t)n;
		if (vpn->server) {
			switch_from_tap(vpn, vpn->frame_buf, (size_t)n);
		} else if (vpn->peers && vpn->peers->state == PEER_UP) {
			peer_send_frame(vpn->peers, vpn->frame_buf, (size_t)n);
		}
	}
}

void tunnel_frame_from_peer(struct peer *p, const uint8_t *frame, size_t len)
{
	struct vpn *vpn = p->vpn;
	int port;
	struct peer *dst;

	if (!vpn->server) {
		write_tap(vpn, frame, len);
		return;
	}
	learn(vpn, frame, p->port);
	if (!vpn->cfg->client_to_client) {
		/* Like OpenVPN: without client-to-client everything goes through the tap (and so
		 * through the local bridge, where firewall rules apply). */
		write_tap(vpn, frame, len);
		return;
	}
	port = mactable_lookup(vpn->macs, frame, vpn->now);
	if (port == PORT_TAP) {
		write_tap(vpn, frame, len);
	} else if (port == p->port) {
		return; /* destination behind the sender itself */
	} else if (port > 0 && (dst = peer_by_port(vpn, port))) {
		peer_send_frame(dst, frame, len);
	} else {
		flood(vpn, frame, len, p->port, true);
	}
}

void tunnel_peer_gone(struct peer *p)
{
	if (p->vpn->macs)
		mactable_forget_port(p->vpn->macs, p->port);
}
