// SPDX-License-Identifier: GPL-2.0-or-later
/* snapshot: the daemon's numbers for metrics.h (see snapshot.h). */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config-build.h"
#include "mactable.h"

struct mac_collect {
	struct vpn *vpn;
	struct snapshot *snap;
	size_t cap;
	const struct peer **by_port; /* the site on each switch port, NULL: none */
	size_t n_ports;
};

static void collect_mac(const uint8_t mac[6], uint16_t vid, int port, uint64_t last_seen, void *arg)
{
	struct mac_collect *mc = arg;
	struct metrics_snapshot *s = &mc->snap->s;
	const struct peer *p = port > 0 && (size_t)port < mc->n_ports ? mc->by_port[port] : NULL;
	struct metrics_mac *m;

	if (port > 0 && !p)
		s->mac_orphans++;
	if (s->n_macs == mc->cap)
		return;
	m = &mc->snap->macs[s->n_macs++];
	memcpy(m->mac, mac, 6);
	m->vid = vid;
	m->port = port;
	m->common_name = p ? p->cn : NULL;
	m->age = mc->vpn->now > last_seen ? mc->vpn->now - last_seen : 0;
}

static void site_from_peer(struct metrics_site *x, const struct peer *p)
{
	x->common_name = p->cn;
	x->real_address = p->addr_str;
	x->port = p->port > 0 ? p->port : 0;
	x->connected_since = p->connected_since;
	x->link_read = p->stats.link_read;
	x->link_write = p->stats.link_write;
	x->frames_in = p->stats.frames_in;
	x->frames_out = p->stats.frames_out;
	x->bytes_in = p->stats.bytes_in;
	x->bytes_out = p->stats.bytes_out;
	x->send_queue = bq_len(&p->tx);
	x->send_queue_limit = p->tx_limit;
	x->drops_queue_full = p->stats.drops_queue_full;
	x->drops_gso = p->stats.drops_gso;
	x->drops_oversize_out = p->stats.drops_oversize;
	x->drops_oversize_in = p->stats.drops_oversize_in;
	x->gso_recut = p->stats.gso_recut;
	x->key_updates = p->key_updates;
	for (int k = 0; k < STORM_N; k++)
		x->storm_dropped[k] = p->storm.dropped[k];
	x->blocked = p->blocked_until > p->vpn->now;
	x->blocks = p->blocks;
	x->tls_version = p->ssl ? SSL_get_version(p->ssl) : NULL;
	x->cipher = p->ssl ? SSL_get_cipher_name(p->ssl) : NULL;
	x->compression = p->comp;
	x->offloads = p->vnet;
}

/* Totals: those of closed links (vpn->counters) and of the links there are. */
static void counters(struct vpn *vpn, struct metrics_snapshot *s)
{
	const struct vpn_counters *v = &vpn->counters;
	struct metrics_counters *c = &s->counters;

	c->tap_read = v->tap_read;
	c->tap_write = v->tap_write;
	c->tap_drops = v->tap_drops;
	c->tap_write_errors = v->tap_write_errors;
	c->frames_bad = v->frames_bad;
	c->frames_segmented = v->frames_segmented;
	c->link_read = v->peer_link_read;
	c->link_write = v->peer_link_write;
	c->drops_queue_full = v->peer_drops_full;
	c->drops_gso = v->peer_drops_gso;
	c->drops_oversize_out = v->peer_drops_oversize;
	c->drops_oversize_in = v->peer_drops_oversize_in;
	c->gso_recut = v->peer_gso_recut;
	for (int k = 0; k < STORM_N; k++)
		c->tap_storm_dropped[k] = vpn->tap_storm.dropped[k];
	c->switch_bad_source = v->switch_drops[FWD_DROP_BAD_SOURCE];
	c->switch_blocked = v->switch_drops[FWD_DROP_BLOCKED];
	c->switch_same_side = v->switch_drops[FWD_DROP_SAME_SIDE];
	c->flap_blocks = v->flap_blocks;
	for (const struct peer *p = vpn->peers; p; p = p->next) {
		c->link_read += p->stats.link_read;
		c->link_write += p->stats.link_write;
		c->drops_queue_full += p->stats.drops_queue_full;
		c->drops_gso += p->stats.drops_gso;
		c->drops_oversize_out += p->stats.drops_oversize;
		c->drops_oversize_in += p->stats.drops_oversize_in;
		c->gso_recut += p->stats.gso_recut;
	}
}

static void preauth(struct vpn *vpn, struct metrics_snapshot *s)
{
	const struct preauth_state *pa = &vpn->preauth;
	struct metrics_preauth *m = &s->preauth;

	for (const struct peer *p = vpn->peers; p; p = p->next)
		m->pending += vpn->server && peer_pending(p);
	m->accepted = pa->accepted;
	m->handshakes_failed = pa->handshakes_failed;
	m->refused_source = pa->refused[REFUSED_SOURCE];
	m->refused_evicted = pa->refused[REFUSED_EVICTED];
	m->refused_fd_limit = pa->refused[REFUSED_FD_LIMIT];
	m->refused_max_clients = pa->refused[REFUSED_MAX_CLIENTS];
	m->refused_timeout = pa->refused[REFUSED_TIMEOUT];
}

/* The MAC table, each entry with the site on its port; each site's count of entries. */
static int mac_table(struct vpn *vpn, struct snapshot *snap)
{
	struct metrics_snapshot *s = &snap->s;
	struct mac_collect mc = { .vpn = vpn, .snap = snap };
	int max_port = 0;

	if (!vpn->macs)
		return 0;
	for (const struct peer *p = vpn->peers; p; p = p->next)
		if (p->state == PEER_UP && p->port > max_port)
			max_port = p->port;
	mc.n_ports = (size_t)max_port + 1;
	mc.by_port = calloc(mc.n_ports, sizeof(*mc.by_port));
	mc.cap = mactable_count(vpn->macs);
	snap->macs = calloc(mc.cap + 1, sizeof(*snap->macs));
	if (!mc.by_port || !snap->macs) {
		free(mc.by_port);
		return -ENOMEM;
	}
	for (const struct peer *p = vpn->peers; p; p = p->next)
		if (p->state == PEER_UP && p->port > 0)
			mc.by_port[p->port] = p;
	s->mac_entries = mc.cap;
	mactable_foreach(vpn->macs, collect_mac, &mc);
	s->macs = snap->macs;
	for (size_t i = 0; i < s->n_sites; i++)
		snap->sites[i].macs = mactable_port_count(vpn->macs, snap->sites[i].port);
	free(mc.by_port);
	return 0;
}

int snapshot_take(struct vpn *vpn, uint64_t uptime, struct snapshot *snap)
{
	struct metrics_snapshot *s = &snap->s;
	size_t n = 0;

	memset(snap, 0, sizeof(*snap));
	s->version = L2VPN_VERSION;
	s->server = vpn->server;
	s->dev = vpn->tap.name;
	snap->s.now = time(NULL);
	s->uptime = uptime;
	for (const struct peer *p = vpn->peers; p; p = p->next)
		n += p->state == PEER_UP;
	snap->sites = calloc(n + 1, sizeof(*snap->sites));
	if (!snap->sites)
		return -ENOMEM;
	for (const struct peer *p = vpn->peers; p; p = p->next)
		if (p->state == PEER_UP)
			site_from_peer(&snap->sites[s->n_sites++], p);
	s->sites = snap->sites;
	counters(vpn, s);
	preauth(vpn, s);
	return mac_table(vpn, snap);
}

void snapshot_free(struct snapshot *snap)
{
	free(snap->sites);
	free(snap->macs);
	memset(snap, 0, sizeof(*snap));
}
