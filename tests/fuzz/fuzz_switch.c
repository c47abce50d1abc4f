// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the server's virtual switch. Raw Ethernet frames (with 802.1Q/802.1ad/0x9100
 * tags: the outer 802.1Q or 802.1ad tag's VLAN keys the table) arrive on ports taken from the
 * input at times taken from the input, with client-to-client and loop protection's hold taken
 * from the input too; each is decided by fwd_decide() and learned as the server does, mixed
 * with ports going away and expiry sweeps. A small reference model checks every answer: the
 * decision against the rules written out plainly here, and of mactable each learn result and
 * old port, that a lookup names only a port the (VLAN, MAC) was learned on and not forgotten or
 * aged since, that no group or zero MAC is ever held, the table and per-port caps, the counts
 * against a walk of the table, and flapping.
 *
 * Input: 3 bytes of table limits (entries, per-port cap, age), then operations, each one op
 * byte and its arguments: a raw frame (port, time step, length, bytes), a frame between MACs
 * of a small pool (port, time step, pool indices, tag count), forget a port, expire.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "fuzz.h"
#include "mactable.h"

#define MAX_ENTRIES 32
#define N_PORTS     8
#define MAX_PORT    65535 /* mactable ignores ports above */

struct model_entry {
	uint8_t mac[6];
	uint16_t vid;
	int port;
	uint64_t last_seen, window_start;
	unsigned moves;
};

struct model {
	struct model_entry e[MAX_ENTRIES];
	size_t n;
	unsigned max, cap, age;
	bool swept;
	uint64_t last_sweep;
};

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t next(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static struct model_entry *find(struct model *m, const uint8_t mac[6], uint16_t vid)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].vid == vid && !memcmp(m->e[i].mac, mac, 6))
			return &m->e[i];
	return NULL;
}

static void drop(struct model *m, struct model_entry *e)
{
	*e = m->e[--m->n];
}

static bool aged(const struct model *m, const struct model_entry *e, uint64_t now)
{
	return m->age && now > e->last_seen && now - e->last_seen >= m->age;
}

static unsigned on_port(const struct model *m, int port)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->e[i].port == port;
	return n;
}

static bool port_full(const struct model *m, int port)
{
	return port != 0 && m->cap && on_port(m, port) >= m->cap;
}

static void model_expire(struct model *m, uint64_t now)
{
	for (size_t i = 0; i < m->n;)
		if (aged(m, &m->e[i], now))
			drop(m, &m->e[i]);
		else
			i++;
}

/* What mactable_learn() must answer, applied to the model. */
static enum mactable_learn model_learn(struct model *m, const uint8_t mac[6], uint16_t vid,
                                       int port, uint64_t now, int *old_port)
{
	struct model_entry *e;

	*old_port = -1;
	if (mac_is_group(mac) || mac_is_zero(mac) || port < 0 || port > MAX_PORT)
		return MAC_IGNORED;
	e = find(m, mac, vid);
	if (e) {
		bool was_aged = aged(m, e, now);

		if (e->port == port) {
			e->last_seen = now;
			if (was_aged) {
				e->moves = 0;
				return MAC_NEW;
			}
			return MAC_REFRESHED;
		}
		if (port_full(m, port)) {
			if (!was_aged)
				*old_port = e->port;
			drop(m, e);
			return MAC_FULL;
		}
		*old_port = e->port;
		e->port = port;
		e->last_seen = now;
		if (was_aged) {
			*old_port = -1;
			e->moves = 0;
			return MAC_NEW;
		}
		if (e->moves == 0 || now < e->window_start ||
		    now - e->window_start >= MACTABLE_FLAP_WINDOW) {
			e->window_start = now;
			e->moves = 1;
		} else if (e->moves < 255) {
			e->moves++;
		}
		return MAC_MOVED;
	}
	if ((m->n >= m->max || port_full(m, port)) && (!m->swept || m->last_sweep != now)) {
		m->swept = true;
		m->last_sweep = now;
		model_expire(m, now);
	}
	if (m->n >= m->max || port_full(m, port))
		return MAC_FULL;
	e = &m->e[m->n++];
	memcpy(e->mac, mac, 6);
	e->vid = vid;
	e->port = port;
	e->last_seen = now;
	e->moves = 0;
	e->window_start = 0;
	return MAC_NEW;
}

struct walk {
	const struct model *m;
	size_t n;
	unsigned per_port[N_PORTS + 1];
};

static void visit(const uint8_t mac[6], uint16_t vid, int port, uint64_t last_seen, void *arg)
{
	struct walk *w = arg;
	const struct model_entry *e = find((struct model *)w->m, mac, vid);

	CHECK(!mac_is_group(mac) && !mac_is_zero(mac));
	CHECK(e && e->port == port && e->last_seen == last_seen);
	w->n++;
	if (port >= 0 && port < N_PORTS)
		w->per_port[port]++;
}

/* The whole table against the model. */
static void check_table(const struct mactable *t, const struct model *m, uint64_t now)
{
	struct walk w = { .m = m };

	CHECK(mactable_count(t) == m->n);
	CHECK(m->n <= m->max);
	mactable_foreach(t, visit, &w);
	CHECK(w.n == m->n);
	for (int p = 0; p < N_PORTS; p++) {
		CHECK(mactable_port_count(t, p) == w.per_port[p]);
		CHECK(p == 0 || !m->cap || w.per_port[p] <= m->cap);
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct model_entry *e = &m->e[i];
		bool flapping = e->moves >= MACTABLE_FLAP_MOVES && now >= e->window_start &&
		                now - e->window_start < MACTABLE_FLAP_WINDOW;

		CHECK(mactable_lookup(t, e->mac, e->vid, now) == (aged(m, e, now) ? -1 : e->port));
		CHECK(mactable_flapping(t, e->mac, e->vid, now) == flapping);
	}
}

static int pick_port(uint8_t b)
{
	switch (b) {
	case 0xff:
		return MAX_PORT;
	case 0xfe:
		return MAX_PORT + 1;
	case 0xfd:
		return -1;
	default:
		return b % N_PORTS;
	}
}

static uint64_t step(uint8_t b)
{
	return b >= 0xf8 ? (uint64_t)(b - 0xf7) * 1000 : b & 7;
}

/* The VLAN of FRAME (LEN >= 14) as the switch must read it: the outer tag's id when the first
 * EtherType is 802.1Q or 802.1ad, else 0; -1 when that tag is cut short. */
static int outer_vlan(const uint8_t *frame, size_t len)
{
	unsigned type = (unsigned)frame[12] << 8 | frame[13];

	if (type != 0x8100 && type != 0x88a8)
		return 0;
	if (len < 18)
		return -1;
	return ((unsigned)frame[14] << 8 | frame[15]) & 0xfff;
}

/* The decision the rules of forward.h give, from the model. */
static void want_decision(const struct model *m, const uint8_t *dst, const uint8_t *src,
                          uint16_t vid, int in, bool c2c, bool blocked, uint64_t now,
                          enum fwd_action *action, int *port, bool *learn)
{
	const struct model_entry *e = mac_is_group(dst) ? NULL : find((struct model *)m, dst, vid);
	int at = e && !aged(m, e, now) ? e->port : -1;

	*learn = false;
	*port = -1;
	*action = FWD_DROP;
	if (mac_is_group(src) || mac_is_zero(src) || blocked)
		return;
	*learn = true;
	if (in != 0 && !c2c)
		*action = FWD_TAP;
	else if (!memcmp(dst, src, 6) || at == in)
		*action = FWD_DROP;
	else if (at == 0)
		*action = FWD_TAP;
	else if (at > 0)
		*action = FWD_PORT, *port = at;
	else
		*action = FWD_FLOOD;
}

/* Decide and learn FRAME from PORT as the server does; checks the decision and the table. */
static void switch_frame(struct mactable *t, struct model *m, const uint8_t *frame, size_t len,
                         int port, uint64_t now, uint8_t flags)
{
	const struct fwd_policy policy = { .client_to_client = flags & 1,
		                           .ingress_blocked = (flags & 6) == 6 };
	struct fwd_decision d;
	struct fwd_frame f;
	enum mactable_learn want, got;
	enum fwd_action want_action;
	int want_old, got_old = -7, vlan, want_port;
	bool want_learn;

	if (len < 14)
		return; /* runts never reach the switch */
	vlan = outer_vlan(frame, len);
	if (fwd_parse(frame, len, &f) < 0) {
		CHECK(vlan < 0);
		return;
	}
	CHECK(vlan == f.vid && f.dst == frame && f.src == frame + 6);
	d = fwd_decide(t, &f, port, &policy, now);
	want_decision(m, f.dst, f.src, f.vid, port, policy.client_to_client, policy.ingress_blocked,
	              now, &want_action, &want_port, &want_learn);
	CHECK(d.action == want_action && d.learn == want_learn);
	CHECK(d.action != FWD_PORT || (d.port == want_port && d.port != port));
	CHECK(d.action != FWD_FLOOD || d.flood_tap == (port != 0));
	CHECK(d.action != FWD_DROP || d.drop != FWD_DROP_NONE);
	CHECK(mac_is_group(f.dst) ? d.cls == FWD_BROADCAST || d.cls == FWD_MULTICAST
	                          : d.cls == FWD_KNOWN_UNICAST || d.cls == FWD_UNKNOWN_UNICAST);
	if (!d.learn)
		return;
	want = model_learn(m, f.src, f.vid, port, now, &want_old);
	got = mactable_learn(t, f.src, f.vid, port, now, &got_old);
	CHECK(got == want);
	CHECK(got_old == want_old);
	if (got == MAC_NEW || got == MAC_REFRESHED || got == MAC_MOVED)
		CHECK(mactable_lookup(t, f.src, f.vid, now) == port);
	else
		CHECK(mactable_lookup(t, f.src, f.vid, now) == -1 || got == MAC_IGNORED);
	if (got == MAC_MOVED)
		CHECK(got_old >= 0 && got_old != port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t tag_types[3][2] = { { 0x81, 0x00 }, { 0x88, 0xa8 }, { 0x91, 0x00 } };
	struct input in = { data, size };
	struct model *m = calloc(1, sizeof(*m));
	struct mactable *t;
	uint64_t now = 1000;
	unsigned ops = 0;

	if (!m)
		return 0;
	m->max = 1 + next(&in) % MAX_ENTRIES;
	m->cap = next(&in) % 9;
	m->age = next(&in) % 8;
	t = mactable_new(m->max, m->cap, m->age);
	CHECK(t);
	while (in.left && ops++ < 512) {
		uint8_t op = next(&in), frame[64];
		int port = pick_port(next(&in));
		size_t len;

		now += step(next(&in));
		switch (op % 8) {
		case 0:
		case 1:
		case 2: /* a raw frame */
			len = next(&in) % (sizeof(frame) + 1);
			if (len > in.left)
				len = in.left;
			memcpy(frame, in.p, len);
			in.p += len;
			in.left -= len;
			switch_frame(t, m, frame, len, port, now, op >> 3);
			break;
		case 3:
		case 4: { /* a frame between two MACs of a small pool, with 0-3 tags */
			uint8_t b = next(&in);
			size_t tags = (b >> 6) % 4, off = 12;

			memset(frame, 0, sizeof(frame));
			frame[0] = (b & 7) == 7 ? 0xff : 0x02;
			frame[5] = b & 7;
			frame[6] = (b >> 3 & 7) == 7 ? 0x01 : 0x02;
			frame[11] = b >> 3 & 7;
			for (size_t i = 0; i < tags; i++, off += 4) {
				memcpy(frame + off, tag_types[i], 2);
				frame[off + 3] = (uint8_t)(op >> 3);
			}
			frame[off] = 0x08;
			switch_frame(t, m, frame, off + 2 + 46, port, now, op >> 3);
			break;
		}
		case 5: /* a peer went away */
			mactable_forget_port(t, port);
			for (size_t i = 0; i < m->n;)
				if (m->e[i].port == port)
					drop(m, &m->e[i]);
				else
					i++;
			CHECK(port < 0 || mactable_port_count(t, port) == 0);
			break;
		case 6: /* the periodic sweep */
			mactable_expire(t, now);
			model_expire(m, now);
			break;
		default: /* time passes */
			break;
		}
		check_table(t, m, now);
	}
	mactable_free(t);
	free(m);
	return 0;
}
