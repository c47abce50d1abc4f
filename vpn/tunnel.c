// SPDX-License-Identifier: GPL-2.0-or-later
#include "tunnel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "forward.h"
#include "log.h"
#include "mactable.h"
#include "peer.h"
#include "plain.h"
#include "vnet.h"

#define TAP_BATCH    256 /* frames drained from the tap per readable event */
#define PORT_TAP     0
#define FLAP_LOG_GAP 10 /* seconds between MAC move warnings */

/* The source MAC of F, with "@VID" on a tagged frame. */
static void mac_str(const struct fwd_frame *f, char buf[24])
{
	const uint8_t *m = f->src;
	int n =
	    snprintf(buf, 24, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);

	if (f->vid)
		snprintf(buf + n, (size_t)(24 - n), "@%u", (unsigned)f->vid);
}

static struct peer *peer_by_port(struct vpn *vpn, int port)
{
	struct peer *p =
	    port > 0 && (size_t)port < vpn->n_port_peers ? vpn->port_peers[port] : NULL;

	return p && p->state == PEER_UP ? p : NULL;
}

static const char *port_name(struct vpn *vpn, int port)
{
	struct peer *p;

	if (port == PORT_TAP)
		return vpn->tap.name;
	p = peer_by_port(vpn, port);
	return p ? p->label : "a departed peer";
}

/* Loop protection's hold on site P: true while it lasts; an expired one is lifted (and
 * logged) on the way. */
static bool site_blocked(struct vpn *vpn, struct peer *p)
{
	if (!p || !p->blocked_until)
		return false;
	if (vpn->now < p->blocked_until)
		return true;
	p->blocked_until = 0;
	log_notice("%s: loop protection lifted: frames flow again", p->label);
	return false;
}

/* flap-action block: of the two sites MAC M flaps between (PORT_A, PORT_B; one may be the
 * tap, which is never blocked), the one whose connection is newer (a second path that came
 * up, most likely) is held for flap-hold seconds: its frames are dropped and none are sent
 * to it, and its MACs are forgotten so traffic finds the other path. */
static void block_newer(struct vpn *vpn, const char *mac, int port_a, int port_b)
{
	struct peer *a = peer_by_port(vpn, port_a), *b = peer_by_port(vpn, port_b), *victim, *other;

	if (!a && !b)
		return;
	victim = !a ? b : !b ? a : a->started_ms > b->started_ms ? a : b;
	other = victim == a ? b : a;
	if (site_blocked(vpn, victim))
		return;
	victim->blocked_until = vpn->now + vpn->cfg->flap_hold;
	victim->blocks++;
	vpn->counters.flap_blocks++;
	mactable_forget_port(vpn->macs, victim->port);
	log_warnx("loop protection: %s blocked for %u s: MAC %s flaps between it and %s (a loop "
	          "or a duplicate MAC)",
	          victim->label, vpn->cfg->flap_hold, mac, other ? other->label : vpn->tap.name);
}

/* Learn the source of frame F that came in on PORT. A MAC that moves ports is followed at
 * once (live migration) and logged; a MAC that keeps moving is logged as a duplicate MAC or a
 * loop, rate-limited. */
static void learn(struct vpn *vpn, const struct fwd_frame *f, int port)
{
	int old_port = -1;
	char mac[24];

	switch (mactable_learn(vpn->macs, f->src, f->vid, port, vpn->now, &old_port)) {
	case MAC_NEW:
		if (log_enabled(LOG_LVL_DEBUG)) {
			mac_str(f, mac);
			log_debug("learned %s on %s", mac, port_name(vpn, port));
		}
		break;
	case MAC_MOVED:
		mac_str(f, mac);
		if (!mactable_flapping(vpn->macs, f->src, f->vid, vpn->now)) {
			log_notice("MAC %s moved from %s to %s", mac, port_name(vpn, old_port),
			           port_name(vpn, port));
			break;
		}
		if (vpn->cfg->flap_action == FLAP_BLOCK)
			block_newer(vpn, mac, old_port, port);
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
			mac_str(f, mac);
			log_warnx("MAC %s on %s not learned: the MAC table, or that site's "
			          "max-routes-per-client, is full (frames to it are flooded)",
			          mac, port_name(vpn, port));
			vpn->last_full_log = vpn->now;
		}
		break;
	default:
		break;
	}
}

static void count_tap_write(struct vpn *vpn, ssize_t n, size_t want, size_t frame_len)
{
	if (n == (ssize_t)want) {
		vpn->counters.tap_write += frame_len;
		return;
	}
	vpn->counters.tap_drops++;
	if (n < 0 && errno != EAGAIN && errno != ENOBUFS &&
	    vpn->counters.tap_write_errors++ % 1000 == 0)
		log_warn(errno, "write to %s (%llu frames refused so far)", vpn->tap.name,
		         (unsigned long long)vpn->counters.tap_write_errors);
}

/* The MTU of our own tap: segments written into it are IP packets of at most this size. */
static unsigned tap_mtu(const struct vpn *vpn)
{
	return vpn->max_frame - VNET_ETH_OVERHEAD;
}

/* Write one plain frame into the tap (behind an empty vnet header when the tap has them). */
static void write_tap_plain(const uint8_t *frame, size_t len, void *arg)
{
	static const uint8_t no_offload[VNET_HDR_LEN];
	struct vpn *vpn = arg;
	struct iovec iov[2] = { { (void *)no_offload, VNET_HDR_LEN }, { (void *)frame, len } };

	if (vpn->vnet)
		count_tap_write(vpn, writev(vpn->tap.fd, iov, 2), VNET_HDR_LEN + len, len);
	else
		count_tap_write(vpn, write(vpn->tap.fd, frame, len), len, len);
}

static void write_tap(struct vpn *vpn, uint8_t *vh, size_t len)
{
	ssize_t n;

	if (!vpn->vnet) {
		plain_frames(vpn, vh, len, tap_mtu(vpn), write_tap_plain, vpn);
		return;
	}
	n = write(vpn->tap.fd, vh, VNET_HDR_LEN + len);
	if (n < 0 && errno == EINVAL && vh[1] != VNET_GSO_NONE) {
		/* Some kernels refuse GSO writes they should take: segment it here instead. */
		vpn->counters.tap_write_errors++;
		plain_frames(vpn, vh, len, tap_mtu(vpn), write_tap_plain, vpn);
		return;
	}
	count_tap_write(vpn, n, VNET_HDR_LEN + len, len);
}

/* Send VH from port FROM to every up peer except FROM (and to the tap when TO_TAP). */
static void flood(struct vpn *vpn, uint8_t *vh, size_t len, int from, bool to_tap)
{
	if (to_tap && from != PORT_TAP)
		write_tap(vpn, vh, len);
	for (struct peer *p = vpn->peers; p; p = p->next)
		if (p->port != from && p->state == PEER_UP && !site_blocked(vpn, p))
			peer_send_flooded(p, vh, len);
}

/* Storm control: false when PORT's limit for frames of class CLS is used up (the frame is
 * dropped and counted there). Known unicast is never limited. */
static bool storm_pass(struct storm_port *port, enum fwd_class cls)
{
	static const int kind[] = {
		[FWD_KNOWN_UNICAST] = -1,
		[FWD_UNKNOWN_UNICAST] = STORM_UNKNOWN_UNICAST,
		[FWD_MULTICAST] = STORM_MULTICAST,
		[FWD_BROADCAST] = STORM_BROADCAST,
	};

	if (kind[cls] < 0 || !port->limit[kind[cls]].rate)
		return true;
	return storm_admit(port, (enum storm_kind)kind[cls], vpn_now_ms());
}

/* Client: storm control on a frame read from the tap (broadcast and multicast: a client
 * knows no MAC table, so no unknown unicast). */
static bool client_storm_pass(struct vpn *vpn, const uint8_t *frame)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!mac_is_group(frame))
		return true;
	return storm_pass(&vpn->tap_storm, memcmp(frame, bcast, 6) ? FWD_MULTICAST : FWD_BROADCAST);
}

/* Server: switch the frame of VH that came in on INGRESS (the tap, or site P) as
 * fwd_decide() says. */
static void switch_frame(struct vpn *vpn, uint8_t *vh, size_t len, struct peer *from)
{
	int ingress = from ? from->port : FWD_PORT_TAP;
	const struct fwd_policy policy = { .client_to_client = vpn->cfg->client_to_client,
		                           .ingress_blocked = site_blocked(vpn, from) };
	struct fwd_decision d;
	struct fwd_frame f;
	struct peer *dst;

	if (fwd_parse(vh + VNET_HDR_LEN, len, &f) < 0) {
		vpn->counters.frames_bad++;
		return;
	}
	d = fwd_decide(vpn->macs, &f, ingress, &policy, vpn->now);
	if (d.action != FWD_DROP && !storm_pass(from ? &from->storm : &vpn->tap_storm, d.cls))
		return;
	if (d.learn)
		learn(vpn, &f, ingress);
	switch (d.action) {
	case FWD_DROP:
		vpn->counters.switch_drops[d.drop]++;
		break;
	case FWD_TAP:
		write_tap(vpn, vh, len);
		break;
	case FWD_PORT:
		if ((dst = peer_by_port(vpn, d.port)) && !site_blocked(vpn, dst)) {
			peer_send_frame(dst, vh, len);
			break;
		}
		if (dst)
			break; /* held by loop protection */
		/* A site that just went: flood until its MACs are learned elsewhere. */
		flood(vpn, vh, len, ingress, from != NULL);
		break;
	case FWD_FLOOD:
		flood(vpn, vh, len, ingress, d.flood_tap);
		break;
	}
}

/* Read one frame from the tap into vpn->frame_buf as [vnet header][frame]; its length, 0 when
 * the tap is drained, or -1 for a frame to skip. */
static ssize_t read_tap(struct vpn *vpn)
{
	uint8_t *buf = vpn->vnet ? vpn->frame_buf : vpn->frame_buf + VNET_HDR_LEN;
	size_t cap = VNET_MAX_FRAME + (vpn->vnet ? VNET_HDR_LEN : 0);
	ssize_t n = read(vpn->tap.fd, buf, cap);
	struct vnet_hdr h;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		/* The device went away under us (ip link del, ifdown): nothing left to bridge. */
		log_error(errno, "read from %s", vpn->tap.name);
		log_errorx("%s is gone (deleted or taken down for good): exiting", vpn->tap.name);
		vpn->run = STOP;
		vpn->exit_code = 1;
		return 0;
	}
	if (vpn->vnet) {
		n -= VNET_HDR_LEN;
		vnet_hdr_decode(vpn->frame_buf, &h);
	} else {
		memset(vpn->frame_buf, 0, VNET_HDR_LEN);
		h.gso_type = VNET_GSO_NONE;
	}
	if (n < 14 || (h.gso_type == VNET_GSO_NONE && (size_t)n > vpn->max_frame)) {
		vpn->counters.frames_bad++;
		return -1;
	}
	vpn->counters.tap_read += (uint64_t)n;
	return n;
}

void tunnel_tap_readable(struct vpn *vpn)
{
	/* Strategy: drain up to TAP_BATCH frames into the peers' send queues; the loop flushes
	 * those queues once afterwards, so many frames share a few large TLS writes. */
	for (int i = 0; i < TAP_BATCH; i++) {
		ssize_t n = read_tap(vpn);

		if (n == 0)
			return;
		if (n < 0)
			continue;
		if (vpn->server)
			switch_frame(vpn, vpn->frame_buf, (size_t)n, NULL);
		else if (vpn->peers && vpn->peers->state == PEER_UP &&
		         client_storm_pass(vpn, vpn->frame_buf + VNET_HDR_LEN))
			peer_send_frame(vpn->peers, vpn->frame_buf, (size_t)n);
	}
}

void tunnel_frame_from_peer(struct peer *p, uint8_t *vh, size_t len)
{
	if (p->vpn->server)
		switch_frame(p->vpn, vh, len, p);
	else
		write_tap(p->vpn, vh, len);
}

void tunnel_update_offloads(struct vpn *vpn)
{
	unsigned want = TB_OFFLOAD_CSUM | TB_OFFLOAD_TSO4 | TB_OFFLOAD_TSO6 | TB_OFFLOAD_TSO_ECN;
	struct tb_err err = { { 0 } };
	bool any = false;

	if (!vpn->vnet)
		return;
	/* The tap hands out super-frames only when every peer that may get them can carry
	 * them; a peer without offloads turns them off for all (its frames stay whole). */
	for (struct peer *p = vpn->peers; p; p = p->next) {
		if (p->state != PEER_UP)
			continue;
		any = true;
		if (!p->vnet)
			want = 0;
	}
	if (!any || want == vpn->offloads)
		return;
	if (tb_tap_set_offload(&vpn->tap, want, &err) < 0) {
		log_warnx("%s: %s", vpn->tap.name, err.msg);
		return;
	}
	vpn->offloads = want;
	log_info("%s: offloads %s", vpn->tap.name,
	         want ? "on (checksum, TSO4/6): GSO super-frames cross the tunnel whole" : "off");
}

void tunnel_peer_gone(struct peer *p)
{
	if (p->vpn->macs)
		mactable_forget_port(p->vpn->macs, p->port);
	tunnel_update_offloads(p->vpn);
}
