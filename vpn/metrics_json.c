// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics: the snapshot as one JSON document (see metrics.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "utf8.h"

static void json_u16(FILE *f, uint32_t unit)
{
	fprintf(f, "\\u%04x", (unsigned)unit);
}

void metrics_json_string(FILE *f, const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (n == 0) {
			json_u16(f, 0xfffd); /* not UTF-8: one replacement per byte */
			i++;
			continue;
		}
		i += n;
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp == '\r')
			fputs("\\r", f);
		else if (cp < 0x20 || cp == 0x7f)
			json_u16(f, cp);
		else if (cp < 0x80)
			fputc((int)cp, f);
		else if (cp < 0x10000)
			json_u16(f, cp);
		else {
			cp -= 0x10000;
			json_u16(f, 0xd800 + (cp >> 10));
			json_u16(f, 0xdc00 + (cp & 0x3ff));
		}
	}
	fputc('"', f);
}

static void str_or_null(FILE *f, const char *s)
{
	if (s)
		metrics_json_string(f, s, strlen(s));
	else
		fputs("null", f);
}

static const char *bool_word(bool b)
{
	return b ? "true" : "false";
}

static void drops(FILE *f, uint64_t full, uint64_t gso, uint64_t big_out, uint64_t big_in)
{
	fprintf(f,
	        "\"drops\":{\"queue_full\":%" PRIu64 ",\"gso\":%" PRIu64
	        ",\"oversize_out\":%" PRIu64 ",\"oversize_in\":%" PRIu64 "}",
	        full, gso, big_out, big_in);
}

/* Storm control's drops by kind, as member KEY. */
static void storm(FILE *f, const char *key, const uint64_t dropped[3])
{
	fprintf(f,
	        "\"%s\":{\"broadcast\":%" PRIu64 ",\"multicast\":%" PRIu64
	        ",\"unknown_unicast\":%" PRIu64 "}",
	        key, dropped[0], dropped[1], dropped[2]);
}

static void site(FILE *f, const struct metrics_site *x, time_t now)
{
	long long up = now > x->connected_since ? (long long)(now - x->connected_since) : 0;

	fputs("{\"common_name\":", f);
	str_or_null(f, x->common_name ? x->common_name : "UNDEF");
	fputs(",\"real_address\":", f);
	str_or_null(f, x->real_address);
	fprintf(f, ",\"port\":%d,\"connected_since\":%lld,\"connected_seconds\":%lld", x->port,
	        (long long)x->connected_since, up);
	fprintf(f,
	        ",\"bytes_received\":%" PRIu64 ",\"bytes_sent\":%" PRIu64
	        ",\"frames_received\":%" PRIu64 ",\"frames_sent\":%" PRIu64
	        ",\"frame_bytes_received\":%" PRIu64 ",\"frame_bytes_sent\":%" PRIu64,
	        x->link_read, x->link_write, x->frames_in, x->frames_out, x->bytes_in,
	        x->bytes_out);
	fprintf(f, ",\"send_queue_bytes\":%" PRIu64 ",\"send_queue_limit_bytes\":%" PRIu64 ",",
	        x->send_queue, x->send_queue_limit);
	drops(f, x->drops_queue_full, x->drops_gso, x->drops_oversize_out, x->drops_oversize_in);
	fprintf(f, ",\"gso_recut\":%" PRIu64 ",\"key_updates\":%u,\"macs\":%zu", x->gso_recut,
	        x->key_updates, x->macs);
	fputc(',', f);
	storm(f, "storm_dropped", x->storm_dropped);
	fprintf(f, ",\"blocked\":%s,\"blocks\":%u", bool_word(x->blocked), x->blocks);
	fputs(",\"tls_version\":", f);
	str_or_null(f, x->tls_version);
	fputs(",\"cipher\":", f);
	str_or_null(f, x->cipher);
	fprintf(f, ",\"compression\":%s,\"offloads\":%s}", bool_word(x->compression),
	        bool_word(x->offloads));
}

static void mac_entry(FILE *f, const struct metrics_mac *m)
{
	fprintf(f, "{\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"vlan\":%u,\"port\":%d", m->mac[0],
	        m->mac[1], m->mac[2], m->mac[3], m->mac[4], m->mac[5], m->vid, m->port);
	fputs(",\"common_name\":", f);
	str_or_null(f, m->common_name);
	fprintf(f, ",\"age\":%" PRIu64 "}", m->age);
}

static void counters(FILE *f, const struct metrics_counters *c)
{
	fprintf(f,
	        "\"counters\":{\"tap_read_bytes\":%" PRIu64 ",\"tap_written_bytes\":%" PRIu64
	        ",\"tap_dropped_frames\":%" PRIu64 ",\"tap_refused_frames\":%" PRIu64
	        ",\"bad_frames\":%" PRIu64 ",\"segmented_frames\":%" PRIu64
	        ",\"bytes_received\":%" PRIu64 ",\"bytes_sent\":%" PRIu64 ",",
	        c->tap_read, c->tap_write, c->tap_drops, c->tap_write_errors, c->frames_bad,
	        c->frames_segmented, c->link_read, c->link_write);
	drops(f, c->drops_queue_full, c->drops_gso, c->drops_oversize_out, c->drops_oversize_in);
	fprintf(f, ",\"gso_recut\":%" PRIu64 ",", c->gso_recut);
	storm(f, "tap_storm_dropped", c->tap_storm_dropped);
	fprintf(f,
	        ",\"switch_dropped\":{\"bad_source\":%" PRIu64 ",\"blocked\":%" PRIu64
	        ",\"same_side\":%" PRIu64 "},\"flap_blocks\":%" PRIu64 "}",
	        c->switch_bad_source, c->switch_blocked, c->switch_same_side, c->flap_blocks);
}

static void preauth(FILE *f, const struct metrics_preauth *p)
{
	fprintf(
	    f,
	    "\"preauth\":{\"pending\":%u,\"accepted\":%" PRIu64 ",\"handshakes_failed\":%" PRIu64
	    ",\"refused\":{\"per_source\":%" PRIu64 ",\"evicted\":%" PRIu64 ",\"fd_limit\":%" PRIu64
	    ",\"max_clients\":%" PRIu64 ",\"timeout\":%" PRIu64 "}}",
	    p->pending, p->accepted, p->handshakes_failed, p->refused_source, p->refused_evicted,
	    p->refused_fd_limit, p->refused_max_clients, p->refused_timeout);
}

int metrics_json(const struct metrics_snapshot *s, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	bool failed;

	if (!f)
		return -ENOMEM;
	fputs("{\"version\":", f);
	str_or_null(f, s->version);
	fprintf(f, ",\"role\":\"%s\",\"dev\":", s->server ? "server" : "client");
	str_or_null(f, s->dev);
	fprintf(f, ",\"time\":%lld,\"uptime\":%" PRIu64 ",\"sites\":[", (long long)s->now,
	        s->uptime);
	for (size_t i = 0; i < s->n_sites; i++) {
		if (i)
			fputc(',', f);
		site(f, &s->sites[i], s->now);
	}
	fprintf(f, "],\"mac_table\":{\"entries\":%zu,\"without_session\":%zu,\"macs\":[",
	        s->mac_entries, s->mac_orphans);
	for (size_t i = 0; i < s->n_macs; i++) {
		if (i)
			fputc(',', f);
		mac_entry(f, &s->macs[i]);
	}
	fputs("]},", f);
	counters(f, &s->counters);
	fputc(',', f);
	preauth(f, &s->preauth);
	fputs("}\n", f);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
