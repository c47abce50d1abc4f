// SPDX-License-Identifier: GPL-2.0-or-later
/* status: OpenVPN status file layouts (see status.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "status.h"

#define TIME_STR_LEN  32
#define MAC_STR_LEN   24
#define FIELD_STR_LEN 256 /* a text field, escaped (longer text is cut) */

static void format_time(time_t t, char buf[TIME_STR_LEN])
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(buf, TIME_STR_LEN, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, TIME_STR_LEN, "%lld", (long long)t);
}

static void format_mac(const uint8_t mac[6], uint16_t vid, char buf[MAC_STR_LEN])
{
	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x@%u", mac[0], mac[1], mac[2],
	         mac[3], mac[4], mac[5], (unsigned)vid);
}

/* Text S (NULL: IF_NULL) as one field of a status row: printable ASCII without commas, so no
 * text can add a row or a column (a common name comes from a peer's certificate). */
static const char *field(char buf[FIELD_STR_LEN], const char *s, const char *if_null)
{
	if (!s)
		s = if_null;
	esc_printable(buf, FIELD_STR_LEN, s, strlen(s), ESC_CSV);
	return buf;
}

static const char *cn_or_undef(char buf[FIELD_STR_LEN], const char *cn)
{
	return field(buf, cn, "UNDEF");
}

static const char *str_or_empty(char buf[FIELD_STR_LEN], const char *s)
{
	return field(buf, s, "");
}

/* Close the memstream F (which updates *BUF) and hand *BUF to *OUT. 0 or -ENOMEM. */
static int finish_stream(FILE *f, char **buf, char **out)
{
	bool failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		free(*buf);
		return -ENOMEM;
	}
	*out = *buf;
	return 0;
}

static void server_v1(FILE *f, const struct status_server *s)
{
	char when[TIME_STR_LEN], mac[MAC_STR_LEN], cn[FIELD_STR_LEN], addr[FIELD_STR_LEN];

	format_time(s->now, when);
	fprintf(f, "OpenVPN CLIENT LIST\nUpdated,%s\n", when);
	fputs("Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n", f);
	for (size_t i = 0; i < s->n_clients; i++) {
		const struct status_client *c = &s->clients[i];

		format_time(c->connected_since, when);
		fprintf(f, "%s,%s,%" PRIu64 ",%" PRIu64 ",%s\n", cn_or_undef(cn, c->common_name),
		        str_or_empty(addr, c->real_address), c->bytes_received, c->bytes_sent,
		        when);
	}
	fputs("ROUTING TABLE\nVirtual Address,Common Name,Real Address,Last Ref\n", f);
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct status_route *r = &s->routes[i];

		format_mac(r->mac, r->vid, mac);
		format_time(r->last_ref, when);
		fprintf(f, "%s,%s,%s,%s\n", mac, cn_or_undef(cn, r->common_name),
		        str_or_empty(addr, r->real_address), when);
	}
	fprintf(f, "GLOBAL STATS\nMax bcast/mcast queue length,%u\n", s->max_bcast_queue);
	fprintf(f, "MAC table entries,%zu\n", s->mac_entries);
	fprintf(f, "MAC table entries without a session,%zu\n", s->mac_orphans);
	fprintf(f, "Sites blocked by loop protection,%zu\n", s->sites_blocked);
	fprintf(f, "Loop protection blocks,%llu\n", (unsigned long long)s->flap_blocks);
	fprintf(f, "Frames dropped by storm control,%llu\nEND\n",
	        (unsigned long long)s->storm_dropped);
}

/* Layouts 2 (SEP ',') and 3 (SEP '\t'). */
static void server_v2(FILE *f, const struct status_server *s, char sep)
{
	char when[TIME_STR_LEN], mac[MAC_STR_LEN], cn[FIELD_STR_LEN], addr[FIELD_STR_LEN];
	char text[FIELD_STR_LEN];

	format_time(s->now, when);
	fprintf(f, "TITLE%c%s\n", sep, field(text, s->title, "l2vpn"));
	fprintf(f, "TIME%c%s%c%lld\n", sep, when, sep, (long long)s->now);
	fprintf(f,
	        "HEADER%1$cCLIENT_LIST%1$cCommon Name%1$cReal Address%1$cVirtual Address%1$c"
	        "Virtual IPv6 Address%1$cBytes Received%1$cBytes Sent%1$cConnected Since%1$c"
	        "Connected Since (time_t)%1$cUsername%1$cClient ID%1$cPeer ID%1$c"
	        "Data Channel Cipher\n",
	        sep);
	for (size_t i = 0; i < s->n_clients; i++) {
		const struct status_client *c = &s->clients[i];

		format_time(c->connected_since, when);
		fprintf(f,
		        "CLIENT_LIST%1$c%2$s%1$c%3$s%1$c%1$c%1$c%4$" PRIu64 "%1$c%5$" PRIu64
		        "%1$c%6$s%1$c%7$lld%1$cUNDEF%1$c%8$u%1$c%9$u%1$c%10$s\n",
		        sep, cn_or_undef(cn, c->common_name), str_or_empty(addr, c->real_address),
		        c->bytes_received, c->bytes_sent, when, (long long)c->connected_since,
		        c->client_id, c->peer_id, field(text, c->cipher, "None"));
	}
	fprintf(f,
	        "HEADER%1$cROUTING_TABLE%1$cVirtual Address%1$cCommon Name%1$cReal Address%1$c"
	        "Last Ref%1$cLast Ref (time_t)\n",
	        sep);
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct status_route *r = &s->routes[i];

		format_mac(r->mac, r->vid, mac);
		format_time(r->last_ref, when);
		fprintf(f, "ROUTING_TABLE%1$c%2$s%1$c%3$s%1$c%4$s%1$c%5$s%1$c%6$lld\n", sep, mac,
		        cn_or_undef(cn, r->common_name), str_or_empty(addr, r->real_address), when,
		        (long long)r->last_ref);
	}
	fprintf(f, "GLOBAL_STATS%1$cMax bcast/mcast queue length%1$c%2$u\n", sep,
	        s->max_bcast_queue);
	fprintf(f, "GLOBAL_STATS%1$cMAC table entries%1$c%2$zu\n", sep, s->mac_entries);
	fprintf(f, "GLOBAL_STATS%1$cMAC table entries without a session%1$c%2$zu\n", sep,
	        s->mac_orphans);
	fprintf(f, "GLOBAL_STATS%1$cSites blocked by loop protection%1$c%2$zu\n", sep,
	        s->sites_blocked);
	fprintf(f, "GLOBAL_STATS%1$cLoop protection blocks%1$c%2$llu\n", sep,
	        (unsigned long long)s->flap_blocks);
	fprintf(f, "GLOBAL_STATS%1$cFrames dropped by storm control%1$c%2$llu\n", sep,
	        (unsigned long long)s->storm_dropped);
	fprintf(f, "GLOBAL_STATS%1$cdco_enabled%1$c0\nEND\n", sep);
}

int status_format_server(const struct status_server *s, int version, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (version < 1 || version > 3)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	if (version == 1)
		server_v1(f, s);
	else
		server_v2(f, s, version == 2 ? ',' : '\t');
	return finish_stream(f, &buf, out);
}

int status_format_p2p(const struct status_p2p *s, char **out)
{
	char when[TIME_STR_LEN];
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	format_time(s->now, when);
	fprintf(f, "OpenVPN STATISTICS\nUpdated,%s\n", when);
	fprintf(f, "TUN/TAP read bytes,%" PRIu64 "\nTUN/TAP write bytes,%" PRIu64 "\n", s->tap_read,
	        s->tap_write);
	fprintf(f, "TCP/UDP read bytes,%" PRIu64 "\nTCP/UDP write bytes,%" PRIu64 "\n",
	        s->link_read, s->link_write);
	fprintf(f, "Auth read bytes,%" PRIu64 "\n", s->auth_read);
	if (s->has_comp) {
		fprintf(f, "pre-compress bytes,%" PRIu64 "\npost-compress bytes,%" PRIu64 "\n",
		        s->pre_compress, s->post_compress);
		fprintf(f, "pre-decompress bytes,%" PRIu64 "\npost-decompress bytes,%" PRIu64 "\n",
		        s->pre_decompress, s->post_decompress);
	}
	fputs("END\n", f);
	return finish_stream(f, &buf, out);
}
