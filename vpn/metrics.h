/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics: the daemon's numbers for machines, from a snapshot the daemon fills: one JSON
 * document (the management command `status json`) and Prometheus' text exposition format
 * (`metrics`, and the `metrics-file` for node_exporter's textfile collector). Pure: no I/O
 * but the memory stream the text is built in.
 *
 * Text (common names come from peer certificates) may hold any bytes: JSON strings are
 * written as ASCII, with '"', '\' and control characters escaped and every other code point
 * beyond ASCII as \uXXXX (invalid UTF-8 bytes as \ufffd); Prometheus label values keep valid
 * UTF-8, escape '\', '"' and newline, and turn invalid bytes and other control characters into
 * U+FFFD, so neither document can be broken by a name.
 */
#ifndef L2VPN_METRICS_H
#define L2VPN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* One site with a working link (server: each connected client site; client: its server). */
struct metrics_site {
	const char *common_name;        /* NULL: "UNDEF" */
	const char *real_address;       /* "a.b.c.d:port", or an IPv6 address */
	int port;                       /* the server's switch port of the site (client: 0) */
	time_t connected_since;         /* wall clock */
	uint64_t link_read, link_write; /* TLS payload bytes received / sent */
	uint64_t frames_in, frames_out; /* Ethernet frames received from / sent to the site */
	uint64_t bytes_in, bytes_out;   /* their bytes */
	uint64_t send_queue;            /* bytes waiting in the site's send queue */
	uint64_t send_queue_limit;      /* the queue's current bound in bytes */
	uint64_t drops_queue_full;      /* frames dropped: the send queue was full */
	uint64_t drops_gso;             /* super-frames that could not be made fit for the link */
	uint64_t drops_oversize_out;    /* frames larger than the site accepts */
	uint64_t drops_oversize_in;     /* frames from the site larger than we accept */
	uint64_t gso_recut;             /* super-frames re-cut to a smaller size for the link */
	unsigned key_updates;           /* TLS key updates on this link */
	uint64_t storm_dropped[3];      /* storm control: broadcast, multicast, unknown unicast */
	bool blocked;                   /* held by loop protection now */
	unsigned blocks;                /* times loop protection held the site */
	size_t macs;                    /* MAC table entries learned behind the site */
	const char *tls_version;        /* NULL: omitted */
	const char *cipher;             /* NULL: omitted */
	bool compression, offloads;
};

/* One entry of the server's MAC table. */
struct metrics_mac {
	uint8_t mac[6];
	unsigned vid;            /* VLAN id (0: untagged) */
	int port;                /* 0: the local tap; 1..: a site */
	const char *common_name; /* the site on PORT; NULL for the tap or a port without a site */
	uint64_t age;            /* seconds since the MAC was last seen */
};

/* Totals since the start; the sites' figures include those of links already closed. */
struct metrics_counters {
	uint64_t tap_read, tap_write;   /* bytes */
	uint64_t tap_drops;             /* frames dropped writing to the tap */
	uint64_t tap_write_errors;      /* frames the tap refused */
	uint64_t frames_bad;            /* runt / oversize frames ignored */
	uint64_t frames_segmented;      /* super-frames cut up for a plain link or tap */
	uint64_t link_read, link_write; /* TLS payload bytes of every link */
	uint64_t drops_queue_full;      /* as in struct metrics_site, every link */
	uint64_t drops_gso;             /* ... */
	uint64_t drops_oversize_out;    /* ... */
	uint64_t drops_oversize_in;     /* ... */
	uint64_t gso_recut;             /* ... */
	/* The server's switch. */
	uint64_t tap_storm_dropped[3]; /* storm control on the tap: as metrics_site's */
	uint64_t switch_bad_source;    /* frames dropped: group or zero source MAC */
	uint64_t switch_blocked;       /* ... from a site held by loop protection */
	uint64_t switch_same_side;     /* ... for a destination on their own side */
	uint64_t flap_blocks;          /* times loop protection held a site */
};

/* The server's budget of connections that have not authenticated yet. */
struct metrics_preauth {
	unsigned pending;
	uint64_t accepted, handshakes_failed;
	uint64_t refused_source, refused_evicted, refused_fd_limit, refused_max_clients,
	    refused_timeout;
};

struct metrics_snapshot {
	const char *version; /* l2vpn's */
	bool server;
	const char *dev;
	time_t now;      /* wall clock */
	uint64_t uptime; /* seconds */
	const struct metrics_site *sites;
	size_t n_sites;
	const struct metrics_mac *macs; /* may be fewer than mac_entries (none on a client) */
	size_t n_macs;
	size_t mac_entries; /* every entry of the MAC table */
	size_t mac_orphans; /* entries on a site's port with no session */
	struct metrics_counters counters;
	struct metrics_preauth preauth;
};

/* S as one JSON document on one line, ending with "\n", in *OUT (malloc'd, caller frees).
 * 0 or -ENOMEM. */
int metrics_json(const struct metrics_snapshot *s, char **out);

/* S in Prometheus' text exposition format (version 0.0.4): every metric named l2vpn_...
 * with its HELP and TYPE lines, counters ending in _total, a site's series labelled with its
 * common name and address. In *OUT (caller frees). 0 or -ENOMEM. */
int metrics_prometheus(const struct metrics_snapshot *s, char **out);

/* LEN bytes of S as a JSON string (quotes included) to F. */
void metrics_json_string(FILE *f, const void *s, size_t len);

/* LEN bytes of S as a Prometheus label value (quotes included) to F. */
void metrics_prom_label(FILE *f, const void *s, size_t len);

#endif
