// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-build.h"
#include "comp.h"
#include "forward.h"
#include "log.h"
#include "mactable.h"
#include "ownfile.h"
#include "ratelimit.h"
#include "status.h"

/* A status file that cannot be written (a full or read-only file system) is reported at most
 * once a minute, with the count of failures in between, and once more when it works again. */
#define STATUS_ERROR_LOG_MS 60000

static struct {
	struct ratelimit log;
	uint64_t failures; /* in a row, since the last write that worked */
} status_errors;

/* Frames PORT's storm control dropped, all kinds together. */
static uint64_t storm_total(const struct storm_port *port)
{
	uint64_t n = 0;

	for (int k = 0; k < STORM_N; k++)
		n += port->dropped[k];
	return n;
}

struct route_collect {
	struct vpn *vpn;
	struct status_route *routes;
	size_t n, cap;
	size_t orphans;     /* entries on a site's port with no session */
	time_t wall_offset; /* wall clock minus monotonic */
};

static void collect_route(const uint8_t mac[6], uint16_t vid, int port, uint64_t last_seen,
                          void *arg)
{
	struct route_collect *rc = arg;
	struct status_route *r;

	if (port == 0)
		return; /* MACs on our own side are not routes to a client */
	for (struct peer *p = rc->vpn->peers; p; p = p->next) {
		if (p->port != port || p->state == PEER_DEAD)
			continue;
		if (rc->n == rc->cap)
			return;
		r = &rc->routes[rc->n++];
		memcpy(r->mac, mac, 6);
		r->vid = vid;
		r->common_name = p->cn;
		r->real_address = p->addr_str;
		r->last_ref = (time_t)last_seen + rc->wall_offset;
		return;
	}
	rc->orphans++;
}

static int format_server(struct vpn *vpn, int version, char **out)
{
	struct status_client *clients = calloc(vpn->n_peers + 1, sizeof(*clients));
	struct route_collect rc = { .vpn = vpn };
	struct status_server s = { .now = time(NULL), .title = "l2vpn " L2VPN_VERSION };
	size_t n = 0;
	int ret = -ENOMEM;

	rc.cap = vpn->macs ? mactable_count(vpn->macs) : 0;
	rc.routes = calloc(rc.cap + 1, sizeof(*rc.routes));
	rc.wall_offset = s.now - (time_t)vpn->now;
	if (!clients || !rc.routes)
		goto out;
	s.flap_blocks = vpn->counters.flap_blocks;
	s.storm_dropped = storm_total(&vpn->tap_storm) + vpn->counters.storm_dropped_gone;
	for (struct peer *p = vpn->peers; p; p = p->next) {
		s.storm_dropped += storm_total(&p->storm);
		if (p->state != PEER_UP)
			continue;
		if (p->blocked_until > vpn->now)
			s.sites_blocked++;
		clients[n++] = (struct status_client){
			.common_name = p->cn,
			.real_address = p->addr_str,
			.bytes_received = p->stats.link_read,
			.bytes_sent = p->stats.link_write,
			.connected_since = p->connected_since,
			.client_id = (unsigned)p->port,
			.peer_id = (unsigned)p->port,
			.cipher = SSL_get_cipher_name(p->ssl),
		};
	}
	if (vpn->macs)
		mactable_foreach(vpn->macs, collect_route, &rc);
	s.clients = clients;
	s.n_clients = n;
	s.routes = rc.routes;
	s.n_routes = rc.n;
	s.mac_entries = rc.cap;
	s.mac_orphans = rc.orphans;
	ret = status_format_server(&s, version, out);
out:
	free(clients);
	free(rc.routes);
	return ret;
}

static int format_client(struct vpn *vpn, char **out)
{
	struct status_p2p s = {
		.now = time(NULL),
		.tap_read = vpn->counters.tap_read,
		.tap_write = vpn->counters.tap_write,
	};

	for (struct peer *p = vpn->peers; p; p = p->next) {
		s.link_read += p->stats.link_read;
		s.link_write += p->stats.link_write;
		s.auth_read += p->stats.link_read;
	}
	if (vpn->comp && vpn->cfg->comp != COMP_UNSET) {
		const struct comp_stats *cs = comp_get_stats(vpn->comp);
		s.has_comp = true;
		s.pre_compress = cs->pre_compress;
		s.post_compress = cs->post_compress;
		s.pre_decompress = cs->pre_decompress;
		s.post_decompress = cs->post_decompress;
	}
	return status_format_p2p(&s, out);
}

int report_format_version(struct vpn *vpn, int version, char **out)
{
	if (!vpn->server)
		return format_client(vpn, out);
	if (!version)
		version = vpn->cfg->status_version ? vpn->cfg->status_version : 1;
	return format_server(vpn, version, out);
}

int report_format(struct vpn *vpn, char **out)
{
	return report_format_version(vpn, 0, out);
}

int report_open_status(const struct config *cfg, uid_t run_uid)
{
	const char *why = NULL;
	int fd;

	if (!cfg->status_file)
		return -1;
	fd = ownfile_open(cfg->status_file, 0, 0644, run_uid, &why);
	if (fd < 0)
		log_warnx("status %s: %s (the status file is written only where the daemon's user "
		          "may replace it)",
		          cfg->status_file, why);
	return fd < 0 ? -1 : fd;
}

/* Log a failed status write at most once a minute (a full disk would otherwise add a line
 * to the log every status interval), and the recovery once. */
static void status_write_outcome(struct vpn *vpn, int ret)
{
	uint64_t suppressed = 0;

	if (ret >= 0) {
		if (status_errors.failures)
			log_notice("status file %s written again after %llu failed attempts",
			           vpn->cfg->status_file,
			           (unsigned long long)status_errors.failures);
		status_errors.failures = 0;
		return;
	}
	status_errors.failures++;
	if (!status_errors.log.burst)
		ratelimit_init(&status_errors.log, 1, STATUS_ERROR_LOG_MS);
	if (!ratelimit_pass(&status_errors.log, vpn_now_ms(), &suppressed))
		return;
	if (suppressed)
		log_warn(ret,
		         "cannot write status file %s (%llu more failures not logged; at most "
		         "one line a minute)",
		         vpn->cfg->status_file, (unsigned long long)suppressed);
	else
		log_warn(ret, "cannot write status file %s", vpn->cfg->status_file);
}

void report_write_file(struct vpn *vpn, int fallback_fd)
{
	char *text = NULL;
	int ret;

	if (!vpn->cfg->status_file)
		return;
	ret = report_format(vpn, &text);
	if (ret < 0) {
		log_warn(ret, "status %s", vpn->cfg->status_file);
		return;
	}
	/* 0644: status files hold no secrets and monitors often run as another user. */
	ret = ownfile_replace(vpn->cfg->status_file, text, strlen(text), 0644);
	if ((ret == -EACCES || ret == -EPERM) && fallback_fd >= 0)
		ret = ownfile_rewrite_fd(fallback_fd, text, strlen(text));
	free(text);
	status_write_outcome(vpn, ret);
}

/* The pre-authentication budget: connections accepted and refused, by reason. */
static void report_preauth(struct vpn *vpn, int level)
{
	const struct preauth_state *pa = &vpn->preauth;
	unsigned pending = 0;

	for (struct peer *p = vpn->peers; p; p = p->next)
		pending += peer_pending(p);
	log_msg(level,
	        "connections: %u pending, %llu accepted, %llu failed the TLS handshake; refused: "
	        "%llu per-source cap, %llu evicted (table full), %llu shed (out of descriptors), "
	        "%llu max-clients, %llu timed out",
	        pending, (unsigned long long)pa->accepted,
	        (unsigned long long)pa->handshakes_failed,
	        (unsigned long long)pa->refused[REFUSED_SOURCE],
	        (unsigned long long)pa->refused[REFUSED_EVICTED],
	        (unsigned long long)pa->refused[REFUSED_FD_LIMIT],
	        (unsigned long long)pa->refused[REFUSED_MAX_CLIENTS],
	        (unsigned long long)pa->refused[REFUSED_TIMEOUT]);
}

/* Storm control's drops by port and kind; one line for the tap, one per site that dropped
 * any. */
static void report_storm(struct vpn *vpn, int level)
{
	const struct storm_port *tap = &vpn->tap_storm;

	log_msg(level,
	        "storm control: %s: %llu broadcast, %llu multicast, %llu unknown unicast frames "
	        "dropped; %llu by sites gone since",
	        vpn->tap.name, (unsigned long long)tap->dropped[STORM_BROADCAST],
	        (unsigned long long)tap->dropped[STORM_MULTICAST],
	        (unsigned long long)tap->dropped[STORM_UNKNOWN_UNICAST],
	        (unsigned long long)vpn->counters.storm_dropped_gone);
	for (struct peer *p = vpn->peers; p; p = p->next)
		if (p->state == PEER_UP && storm_total(&p->storm))
			log_msg(level,
			        "storm control: %s: %llu broadcast, %llu multicast, %llu unknown "
			        "unicast frames dropped",
			        p->label, (unsigned long long)p->storm.dropped[STORM_BROADCAST],
			        (unsigned long long)p->storm.dropped[STORM_MULTICAST],
			        (unsigned long long)p->storm.dropped[STORM_UNKNOWN_UNICAST]);
}

void report_counters(struct vpn *vpn, int level)
{
	const struct vpn_counters *c = &vpn->counters;
	uint64_t gso = c->peer_drops_gso, full = c->peer_drops_full;
	uint64_t big_out = c->peer_drops_oversize, big_in = c->peer_drops_oversize_in;
	uint64_t recut = c->peer_gso_recut;

	for (struct peer *p = vpn->peers; p; p = p->next) {
		gso += p->stats.drops_gso;
		full += p->stats.drops_queue_full;
		big_out += p->stats.drops_oversize;
		big_in += p->stats.drops_oversize_in;
		recut += p->stats.gso_recut;
	}
	log_msg(level,
	        "traffic: %s read %llu bytes, wrote %llu bytes, %llu frames dropped there, "
	        "%llu refused; %llu super-frames segmented, %llu re-cut for a smaller MTU; %llu "
	        "frames dropped on full peer queues, %llu unsendable; %llu bad frames; %llu "
	        "frames too large for their peer, %llu too large from peers",
	        vpn->tap.name, (unsigned long long)c->tap_read, (unsigned long long)c->tap_write,
	        (unsigned long long)c->tap_drops, (unsigned long long)c->tap_write_errors,
	        (unsigned long long)c->frames_segmented, (unsigned long long)recut,
	        (unsigned long long)full, (unsigned long long)gso,
	        (unsigned long long)c->frames_bad, (unsigned long long)big_out,
	        (unsigned long long)big_in);
	if (vpn->server) {
		log_msg(level,
		        "switch: frames dropped: %llu with a group or zero source MAC, %llu from a "
		        "blocked port, %llu for a destination on their own side",
		        (unsigned long long)c->switch_drops[FWD_DROP_BAD_SOURCE],
		        (unsigned long long)c->switch_drops[FWD_DROP_BLOCKED],
		        (unsigned long long)c->switch_drops[FWD_DROP_SAME_SIDE]);
		report_storm(vpn, level);
		report_preauth(vpn, level);
	} else if (storm_total(&vpn->tap_storm)) {
		report_storm(vpn, level);
	}
}

void report_log(struct vpn *vpn)
{
	char *text = NULL, *line, *save = NULL;

	if (report_format(vpn, &text) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_msg(LOG_LVL_REPORT, "%s", line);
	free(text);
	report_counters(vpn, LOG_LVL_REPORT);
}
