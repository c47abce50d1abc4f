// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics: the snapshot in Prometheus' text exposition format (see metrics.h). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "utf8.h"

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

void metrics_prom_label(FILE *f, const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (n == 0) {
			fputs(replacement, f);
			i++;
			continue;
		}
		if (cp == '\\')
			fputs("\\\\", f);
		else if (cp == '"')
			fputs("\\\"", f);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp < 0x20 || cp == 0x7f)
			fputs(replacement, f);
		else
			fwrite(p + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP l2vpn_%s %s\n# TYPE l2vpn_%s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, uint64_t value)
{
	fprintf(f, "l2vpn_%s %" PRIu64 "\n", name, value);
}

/* NAME{cn="...",address="..."[,reason="REASON"]} VALUE for site X. */
static void site_sample(FILE *f, const char *name, const struct metrics_site *x, const char *reason,
                        uint64_t value)
{
	const char *cn = x->common_name ? x->common_name : "UNDEF";
	const char *addr = x->real_address ? x->real_address : "";

	fprintf(f, "l2vpn_%s{cn=", name);
	metrics_prom_label(f, cn, strlen(cn));
	fputs(",address=", f);
	metrics_prom_label(f, addr, strlen(addr));
	if (reason)
		fprintf(f, ",reason=\"%s\"", reason);
	fprintf(f, "} %" PRIu64 "\n", value);
}

/* A per-site metric: the value at OFFSET (a uint64_t) of each struct metrics_site. */
struct site_metric {
	const char *name, *type, *help;
	size_t offset;
};

static const struct site_metric site_metrics[] = {
	{ "site_received_bytes_total", "counter",
	  "TLS payload bytes received from the site on this link.",
	  offsetof(struct metrics_site, link_read) },
	{ "site_sent_bytes_total", "counter", "TLS payload bytes sent to the site on this link.",
	  offsetof(struct metrics_site, link_write) },
	{ "site_received_frames_total", "counter", "Ethernet frames received from the site.",
	  offsetof(struct metrics_site, frames_in) },
	{ "site_sent_frames_total", "counter", "Ethernet frames sent to the site.",
	  offsetof(struct metrics_site, frames_out) },
	{ "site_received_frame_bytes_total", "counter",
	  "Bytes of the Ethernet frames received from the site.",
	  offsetof(struct metrics_site, bytes_in) },
	{ "site_sent_frame_bytes_total", "counter",
	  "Bytes of the Ethernet frames sent to the site.",
	  offsetof(struct metrics_site, bytes_out) },
	{ "site_send_queue_bytes", "gauge", "Bytes waiting in the site's send queue.",
	  offsetof(struct metrics_site, send_queue) },
	{ "site_send_queue_limit_bytes", "gauge", "The current bound of the site's send queue.",
	  offsetof(struct metrics_site, send_queue_limit) },
	{ "site_gso_recut_frames_total", "counter",
	  "Super-frames re-cut to a smaller size for the site's link.",
	  offsetof(struct metrics_site, gso_recut) },
};

static uint64_t field(const struct metrics_site *x, size_t offset)
{
	uint64_t v;

	memcpy(&v, (const char *)x + offset, sizeof(v));
	return v;
}

static const char *const storm_kinds[3] = { "broadcast", "multicast", "unknown_unicast" };

static void sites(FILE *f, const struct metrics_snapshot *s)
{
	for (size_t m = 0; m < sizeof(site_metrics) / sizeof(site_metrics[0]); m++) {
		const struct site_metric *sm = &site_metrics[m];

		family(f, sm->name, sm->type, sm->help);
		for (size_t i = 0; i < s->n_sites; i++)
			site_sample(f, sm->name, &s->sites[i], NULL,
			            field(&s->sites[i], sm->offset));
	}
	family(f, "site_connected_since_seconds", "gauge",
	       "When the site's link came up, in seconds since the epoch.");
	for (size_t i = 0; i < s->n_sites; i++)
		site_sample(f, "site_connected_since_seconds", &s->sites[i], NULL,
		            s->sites[i].connected_since > 0 ? (uint64_t)s->sites[i].connected_since
		                                            : 0);
	family(f, "site_key_updates_total", "counter", "TLS key updates on the site's link.");
	for (size_t i = 0; i < s->n_sites; i++)
		site_sample(f, "site_key_updates_total", &s->sites[i], NULL,
		            s->sites[i].key_updates);
	family(f, "site_mac_entries", "gauge", "MAC table entries learned behind the site.");
	for (size_t i = 0; i < s->n_sites; i++)
		site_sample(f, "site_mac_entries", &s->sites[i], NULL, s->sites[i].macs);
	family(f, "site_dropped_frames_total", "counter",
	       "Frames to or from the site dropped, by reason.");
	for (size_t i = 0; i < s->n_sites; i++) {
		const struct metrics_site *x = &s->sites[i];

		site_sample(f, "site_dropped_frames_total", x, "queue_full", x->drops_queue_full);
		site_sample(f, "site_dropped_frames_total", x, "gso", x->drops_gso);
		site_sample(f, "site_dropped_frames_total", x, "oversize_out",
		            x->drops_oversize_out);
		site_sample(f, "site_dropped_frames_total", x, "oversize_in", x->drops_oversize_in);
	}
	family(f, "site_storm_dropped_frames_total", "counter",
	       "Frames from the site storm control dropped, by kind.");
	for (size_t i = 0; i < s->n_sites; i++)
		for (int k = 0; k < 3; k++)
			site_sample(f, "site_storm_dropped_frames_total", &s->sites[i],
			            storm_kinds[k], s->sites[i].storm_dropped[k]);
	family(f, "site_blocked", "gauge", "1 while loop protection holds the site.");
	for (size_t i = 0; i < s->n_sites; i++)
		site_sample(f, "site_blocked", &s->sites[i], NULL, s->sites[i].blocked);
	family(f, "site_blocks_total", "counter", "Times loop protection held the site.");
	for (size_t i = 0; i < s->n_sites; i++)
		site_sample(f, "site_blocks_total", &s->sites[i], NULL, s->sites[i].blocks);
}

static void counters(FILE *f, const struct metrics_counters *c)
{
	family(f, "tap_read_bytes_total", "counter", "Bytes read from the tap.");
	sample(f, "tap_read_bytes_total", c->tap_read);
	family(f, "tap_written_bytes_total", "counter", "Bytes written to the tap.");
	sample(f, "tap_written_bytes_total", c->tap_write);
	family(f, "tap_dropped_frames_total", "counter", "Frames dropped writing to the tap.");
	sample(f, "tap_dropped_frames_total", c->tap_drops);
	family(f, "tap_refused_frames_total", "counter", "Frames the tap refused.");
	sample(f, "tap_refused_frames_total", c->tap_write_errors);
	family(f, "bad_frames_total", "counter", "Runt or oversize frames ignored.");
	sample(f, "bad_frames_total", c->frames_bad);
	family(f, "segmented_frames_total", "counter",
	       "Super-frames cut up for a link or tap without offloads.");
	sample(f, "segmented_frames_total", c->frames_segmented);
	family(f, "gso_recut_frames_total", "counter",
	       "Super-frames re-cut to a smaller size for a link.");
	sample(f, "gso_recut_frames_total", c->gso_recut);
	family(f, "link_received_bytes_total", "counter",
	       "TLS payload bytes received on all links, closed ones included.");
	sample(f, "link_received_bytes_total", c->link_read);
	family(f, "link_sent_bytes_total", "counter",
	       "TLS payload bytes sent on all links, closed ones included.");
	sample(f, "link_sent_bytes_total", c->link_write);
	family(f, "dropped_frames_total", "counter",
	       "Frames dropped on all links, closed ones included, by reason.");
	fprintf(f, "l2vpn_dropped_frames_total{reason=\"queue_full\"} %" PRIu64 "\n",
	        c->drops_queue_full);
	fprintf(f, "l2vpn_dropped_frames_total{reason=\"gso\"} %" PRIu64 "\n", c->drops_gso);
	fprintf(f, "l2vpn_dropped_frames_total{reason=\"oversize_out\"} %" PRIu64 "\n",
	        c->drops_oversize_out);
	fprintf(f, "l2vpn_dropped_frames_total{reason=\"oversize_in\"} %" PRIu64 "\n",
	        c->drops_oversize_in);
	family(f, "tap_storm_dropped_frames_total", "counter",
	       "Frames from the tap storm control dropped, by kind.");
	for (int k = 0; k < 3; k++)
		fprintf(f, "l2vpn_tap_storm_dropped_frames_total{kind=\"%s\"} %" PRIu64 "\n",
		        storm_kinds[k], c->tap_storm_dropped[k]);
	family(f, "switch_dropped_frames_total", "counter",
	       "Frames the switch dropped, by reason.");
	fprintf(f, "l2vpn_switch_dropped_frames_total{reason=\"bad_source\"} %" PRIu64 "\n",
	        c->switch_bad_source);
	fprintf(f, "l2vpn_switch_dropped_frames_total{reason=\"blocked\"} %" PRIu64 "\n",
	        c->switch_blocked);
	fprintf(f, "l2vpn_switch_dropped_frames_total{reason=\"same_side\"} %" PRIu64 "\n",
	        c->switch_same_side);
	family(f, "flap_blocks_total", "counter", "Times loop protection held a site.");
	sample(f, "flap_blocks_total", c->flap_blocks);
}

static void preauth(FILE *f, const struct metrics_preauth *p)
{
	static const char *const reasons[] = { "per_source", "evicted", "fd_limit", "max_clients",
		                               "timeout" };
	const uint64_t refused[] = { p->refused_source, p->refused_evicted, p->refused_fd_limit,
		                     p->refused_max_clients, p->refused_timeout };

	family(f, "preauth_pending", "gauge", "Connections that have not authenticated yet.");
	sample(f, "preauth_pending", p->pending);
	family(f, "preauth_accepted_total", "counter", "Connections accepted.");
	sample(f, "preauth_accepted_total", p->accepted);
	family(f, "preauth_handshakes_failed_total", "counter",
	       "Connections closed in the TLS handshake, refusals aside.");
	sample(f, "preauth_handshakes_failed_total", p->handshakes_failed);
	family(f, "preauth_refused_total", "counter",
	       "Connections refused before they authenticated, by reason.");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		fprintf(f, "l2vpn_preauth_refused_total{reason=\"%s\"} %" PRIu64 "\n", reasons[i],
		        refused[i]);
}

int metrics_prometheus(const struct metrics_snapshot *s, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	bool failed;

	if (!f)
		return -ENOMEM;
	family(f, "info", "gauge", "The l2vpn instance: its version, role and tap.");
	fputs("l2vpn_info{version=", f);
	metrics_prom_label(f, s->version ? s->version : "", s->version ? strlen(s->version) : 0);
	fprintf(f, ",role=\"%s\",dev=", s->server ? "server" : "client");
	metrics_prom_label(f, s->dev ? s->dev : "", s->dev ? strlen(s->dev) : 0);
	fputs("} 1\n", f);
	family(f, "uptime_seconds", "gauge", "Seconds since the daemon started.");
	sample(f, "uptime_seconds", s->uptime);
	family(f, "sites", "gauge", "Sites with a working link.");
	sample(f, "sites", s->n_sites);
	sites(f, s);
	family(f, "mac_table_entries", "gauge", "Entries of the MAC table.");
	sample(f, "mac_table_entries", s->mac_entries);
	family(f, "mac_table_entries_without_session", "gauge",
	       "MAC table entries on a site's port with no session.");
	sample(f, "mac_table_entries_without_session", s->mac_orphans);
	counters(f, &s->counters);
	preauth(f, &s->preauth);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
