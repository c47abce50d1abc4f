// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the status file writers. Input: a snapshot with hostile text (common names,
 * real addresses, cipher names with any bytes: commas, tabs, newlines, non-ASCII), MACs, times
 * (also far outside the calendar) and counters, formatted by status_format_server() in layouts
 * 1, 2 and 3 and by status_format_p2p(). Invariants abort:
 *  - formatting succeeds and the text ends with "END\n";
 *  - the same snapshot with every text field replaced by a plain word has exactly one record
 *    per line, each with its layout's field count, the MACs and counters as given;
 *  - the hostile text adds nothing else: the output differs from the plain one only by the
 *    text fields themselves (lines, separators and length accounted for exactly);
 *  - once the writers escape text fields (FUZZ_STATUS_STRICT, on by itself when the escaping
 *    helper escape.h exists), the hostile output itself has one record per line with its
 *    layout's field count: no text adds a row or a column.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "status.h"

#define MAX_CLIENTS 4
#define MAX_ROUTES  4
#define MAX_TEXT    48
#define PLAIN       "x"

#ifndef FUZZ_STATUS_STRICT
#if defined(__has_include) && __has_include("escape.h")
#define FUZZ_STATUS_STRICT 1
#else
#define FUZZ_STATUS_STRICT 0
#endif
#endif

struct input {
	const uint8_t *p;
	size_t left;
};

struct snapshot {
	struct status_server s;
	struct status_p2p p2p;
	struct status_client clients[MAX_CLIENTS];
	struct status_route routes[MAX_ROUTES];
	char text[2 * MAX_CLIENTS + 1 + 2 * MAX_ROUTES][MAX_TEXT + 1];
	size_t n_text;
};

static uint8_t next(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t next_u64(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | next(in);
	return v;
}

/* A time: small ones near 2025, or any 64-bit value (localtime() fails on some). */
static time_t next_time(struct input *in)
{
	uint8_t b = next(in);

	if (b & 1)
		return (time_t)next_u64(in, 8);
	return (time_t)(1738324800 + (int64_t)next_u64(in, 3));
}

/* A text field: NULL, or up to MAX_TEXT bytes of the input (no NUL: C strings end there). */
static const char *next_text(struct input *in, struct snapshot *sn)
{
	uint8_t len = next(in);
	char *t;
	size_t n = 0;

	if (len == 0xff || sn->n_text >= sizeof(sn->text) / sizeof(sn->text[0]))
		return NULL;
	t = sn->text[sn->n_text++];
	for (unsigned i = 0; i < len % (MAX_TEXT + 1) && in->left; i++) {
		uint8_t c = next(in);

		if (c)
			t[n++] = (char)c;
	}
	t[n] = '\0';
	return t;
}

static void read_snapshot(struct input *in, struct snapshot *sn)
{
	sn->s.now = next_time(in);
	sn->s.n_clients = next(in) % (MAX_CLIENTS + 1);
	sn->s.n_routes = next(in) % (MAX_ROUTES + 1);
	sn->s.max_bcast_queue = (unsigned)next_u64(in, 4);
	sn->s.clients = sn->clients;
	sn->s.routes = sn->routes;
	for (size_t i = 0; i < sn->s.n_clients; i++) {
		struct status_client *c = &sn->clients[i];

		c->common_name = next_text(in, sn);
		c->real_address = next_text(in, sn);
		c->bytes_received = next_u64(in, 8);
		c->bytes_sent = next_u64(in, 8);
		c->connected_since = next_time(in);
		c->client_id = (unsigned)next_u64(in, 4);
		c->peer_id = (unsigned)next_u64(in, 4);
	}
	sn->clients[0].cipher = next_text(in, sn);
	for (size_t i = 0; i < sn->s.n_routes; i++) {
		struct status_route *r = &sn->routes[i];

		for (int j = 0; j < 6; j++)
			r->mac[j] = next(in);
		r->vid = (uint16_t)(next_u64(in, 2) % 4096);
		r->common_name = next_text(in, sn);
		r->real_address = next_text(in, sn);
		r->last_ref = next_time(in);
	}
	sn->p2p.now = next_time(in);
	sn->p2p.has_comp = next(in) & 1;
	sn->p2p.tap_read = next_u64(in, 8);
	sn->p2p.link_write = next_u64(in, 8);
	sn->p2p.post_decompress = next_u64(in, 8);
	sn->s.mac_entries = (size_t)next_u64(in, 8);
	sn->s.mac_orphans = (size_t)next_u64(in, 8);
	sn->s.sites_blocked = (size_t)next_u64(in, 8);
	sn->s.flap_blocks = next_u64(in, 8);
	sn->s.storm_dropped = next_u64(in, 8);
}

/* The snapshot with every non-NULL text replaced by PLAIN. */
static void make_plain(const struct snapshot *sn, struct snapshot *plain)
{
	*plain = *sn;
	plain->s.clients = plain->clients;
	plain->s.routes = plain->routes;
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		struct status_client *c = &plain->clients[i];

		c->common_name = c->common_name ? PLAIN : NULL;
		c->real_address = c->real_address ? PLAIN : NULL;
		c->cipher = c->cipher ? PLAIN : NULL;
	}
	for (size_t i = 0; i < MAX_ROUTES; i++) {
		struct status_route *r = &plain->routes[i];

		r->common_name = r->common_name ? PLAIN : NULL;
		r->real_address = r->real_address ? PLAIN : NULL;
	}
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == c;
	return n;
}

/* Lines, separators and bytes the text fields printed in layout VERSION add to the plain
 * output (each text is printed once per record it appears in). */
struct extra {
	size_t lines, seps;
	long long bytes;
};

static void add_text(struct extra *x, const char *text, char sep)
{
	if (!text)
		return;
	x->lines += count_char(text, '\n');
	x->seps += count_char(text, sep);
	x->bytes += (long long)strlen(text) - (long long)strlen(PLAIN);
}

static struct extra text_extra(const struct snapshot *sn, int version, char sep)
{
	struct extra x = { 0 };

	for (size_t i = 0; i < sn->s.n_clients; i++) {
		add_text(&x, sn->clients[i].common_name, sep);
		add_text(&x, sn->clients[i].real_address, sep);
		if (version > 1)
			add_text(&x, sn->clients[i].cipher, sep);
	}
	for (size_t i = 0; i < sn->s.n_routes; i++) {
		add_text(&x, sn->routes[i].common_name, sep);
		add_text(&x, sn->routes[i].real_address, sep);
	}
	return x;
}

/* Number of fields of LINE (LEN bytes) split at SEP. */
static size_t fields(const char *line, size_t len, char sep)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += line[i] == sep;
	return n;
}

/* Check OUT line by line against the layout: WANT[i] is the field count of line i (0 ends),
 * PREFIX[i] the line's start when not NULL. */
static void check_lines(const char *out, const size_t *want, const char *const *prefix, size_t n,
                        char sep)
{
	const char *line = out;

	for (size_t i = 0; i < n; i++) {
		const char *nl = strchr(line, '\n');

		CHECK(nl);
		CHECK(fields(line, (size_t)(nl - line), sep) == want[i]);
		if (prefix[i])
			CHECK(strncmp(line, prefix[i], strlen(prefix[i])) == 0);
		line = nl + 1;
	}
	CHECK(*line == '\0');
}

/* The exact record structure of a server status in layout VERSION. */
static void check_server_structure(const char *out, const struct status_server *s, int version)
{
	size_t want[16 + MAX_CLIENTS + MAX_ROUTES], n = 0;
	const char *prefix[16 + MAX_CLIENTS + MAX_ROUTES];
	char sep = version == 3 ? '\t' : ',';
	char mac[MAX_ROUTES][48];

	for (size_t i = 0; i < s->n_routes; i++) {
		const uint8_t *m = s->routes[i].mac;

		snprintf(mac[i], sizeof(mac[i]), "%s%02x:%02x:%02x:%02x:%02x:%02x@%u%c",
		         version == 1 ? "" : (version == 2 ? "ROUTING_TABLE," : "ROUTING_TABLE\t"),
		         m[0], m[1], m[2], m[3], m[4], m[5], (unsigned)s->routes[i].vid, sep);
	}
#define LINE(count, start)                                                                         \
	do {                                                                                       \
		want[n] = (count);                                                                 \
		prefix[n++] = (start);                                                             \
	} while (0)
	if (version == 1) {
		LINE(1, "OpenVPN CLIENT LIST");
		LINE(2, "Updated,");
		LINE(5, "Common Name,");
		for (size_t i = 0; i < s->n_clients; i++)
			LINE(5, NULL);
		LINE(1, "ROUTING TABLE");
		LINE(4, "Virtual Address,");
		for (size_t i = 0; i < s->n_routes; i++)
			LINE(4, mac[i]);
		LINE(1, "GLOBAL STATS");
		LINE(2, "Max bcast/mcast queue length,");
		LINE(2, "MAC table entries,");
		LINE(2, "MAC table entries without a session,");
		LINE(2, "Sites blocked by loop protection,");
		LINE(2, "Loop protection blocks,");
		LINE(2, "Frames dropped by storm control,");
		LINE(1, "END");
	} else {
		LINE(2, "TITLE");
		LINE(3, "TIME");
		LINE(14, "HEADER");
		for (size_t i = 0; i < s->n_clients; i++)
			LINE(13, "CLIENT_LIST");
		LINE(7, "HEADER");
		for (size_t i = 0; i < s->n_routes; i++)
			LINE(6, mac[i]);
		for (int i = 0; i < 7; i++)
			LINE(3, "GLOBAL_STATS");
		LINE(1, "END");
	}
#undef LINE
	check_lines(out, want, prefix, n, sep);
}

static void check_server(const struct snapshot *sn, const struct snapshot *plain, int version)
{
	char sep = version == 3 ? '\t' : ',';
	char *out = NULL, *ref = NULL;
	struct extra x = text_extra(sn, version, sep);

	CHECK(status_format_server(&sn->s, version, &out) == 0 && out);
	CHECK(status_format_server(&plain->s, version, &ref) == 0 && ref);
	CHECK(strlen(out) >= 4 && strcmp(out + strlen(out) - 4, "END\n") == 0);
	check_server_structure(ref, &plain->s, version);
	if (FUZZ_STATUS_STRICT) {
		check_server_structure(out, &sn->s, version);
	} else {
		CHECK(count_char(out, '\n') == count_char(ref, '\n') + x.lines);
		CHECK(count_char(out, sep) == count_char(ref, sep) + x.seps);
		CHECK((long long)strlen(out) == (long long)strlen(ref) + x.bytes);
	}
	free(out);
	free(ref);
}

static void check_p2p(const struct status_p2p *p)
{
	static const char *const prefix[] = {
		"OpenVPN STATISTICS",     "Updated,",
		"TUN/TAP read bytes,",    "TUN/TAP write bytes,",
		"TCP/UDP read bytes,",    "TCP/UDP write bytes,",
		"Auth read bytes,",       "pre-compress bytes,",
		"post-compress bytes,",   "pre-decompress bytes,",
		"post-decompress bytes,", "END",
	};
	static const char *const prefix_nocomp[] = {
		"OpenVPN STATISTICS",  "Updated,",
		"TUN/TAP read bytes,", "TUN/TAP write bytes,",
		"TCP/UDP read bytes,", "TCP/UDP write bytes,",
		"Auth read bytes,",    "END",
	};
	size_t want[12];
	char *out = NULL, expect[64];
	size_t n = p->has_comp ? 12 : 8;

	for (size_t i = 0; i < n; i++)
		want[i] = i == 0 || i == n - 1 ? 1 : 2;
	CHECK(status_format_p2p(p, &out) == 0 && out);
	check_lines(out, want, p->has_comp ? prefix : prefix_nocomp, n, ',');
	snprintf(expect, sizeof(expect), "\nTUN/TAP read bytes,%" PRIu64 "\n", p->tap_read);
	CHECK(strstr(out, expect));
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct snapshot *sn = calloc(2, sizeof(*sn));

	if (!sn)
		return 0;
	read_snapshot(&in, &sn[0]);
	make_plain(&sn[0], &sn[1]);
	for (int version = 1; version <= 3; version++)
		check_server(&sn[0], &sn[1], version);
	CHECK(status_format_server(&sn[0].s, 0, &(char *){ NULL }) < 0);
	CHECK(status_format_server(&sn[0].s, 4, &(char *){ NULL }) < 0);
	check_p2p(&sn[0].p2p);
	free(sn);
	return 0;
}
