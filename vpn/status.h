/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status: OpenVPN 2.6 status file layouts (server status-version 1, 2, 3; client/point-to-point
 * statistics) from a snapshot the daemon fills. Pure: the daemon writes the text with
 * ownfile_replace().
 *
 * Times print as local time "YYYY-MM-DD HH:MM:SS", MACs as "xx:xx:xx:xx:xx:xx@VID" (VID 0:
 * untagged), a NULL common name as "UNDEF", a NULL real address as "". Text fields (common names
 * come from peer certificates) are printed as printable ASCII: control and non-ASCII bytes as
 * "\xNN", commas as '_' (escape.h), cut at 255 bytes, so no text adds a row or a column.
 */
#ifndef L2VPN_STATUS_H
#define L2VPN_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct status_client {
	const char *common_name;  /* NULL: UNDEF */
	const char *real_address; /* "a.b.c.d:port", or an IPv6 address without port */
	uint64_t bytes_received, bytes_sent;
	time_t connected_since;
	unsigned client_id;
	/* Optional, v2/v3 only (zero-initialised defaults are fine): */
	unsigned peer_id;   /* "Peer ID" column */
	const char *cipher; /* "Data Channel Cipher" column, e.g. the TLS cipher; NULL: "None" */
};

struct status_route {
	uint8_t mac[6];
	uint16_t vid; /* VLAN id, 0: untagged */
	const char *common_name;
	const char *real_address;
	time_t last_ref;
};

struct status_server {
	time_t now;
	const struct status_client *clients;
	size_t n_clients;
	const struct status_route *routes;
	size_t n_routes;
	unsigned max_bcast_queue;
	size_t mac_entries;     /* every entry of the MAC table: local, of live sessions, of none */
	size_t mac_orphans;     /* entries on a site's port with no session (none should be) */
	size_t sites_blocked;   /* sites held by loop protection now */
	uint64_t flap_blocks;   /* times loop protection blocked a site since the start */
	uint64_t storm_dropped; /* frames storm control dropped since the start */
	const char *title;      /* version string for the v2/v3 TITLE line; NULL: "l2vpn" */
};

struct status_p2p {
	time_t now;
	uint64_t tap_read, tap_write, link_read, link_write, auth_read;
	bool has_comp; /* print the four compression lines */
	uint64_t pre_compress, post_compress, pre_decompress, post_decompress;
};

/* Format the server status in layout VERSION (1, 2 or 3) into a malloc'd NUL-terminated string
 * (*OUT, caller frees). 0, -EINVAL (bad version) or -ENOMEM. */
int status_format_server(const struct status_server *s, int version, char **out);

/* Format the client/point-to-point statistics into *OUT (caller frees). 0 or -ENOMEM. */
int status_format_p2p(const struct status_p2p *s, char **out);

#endif
