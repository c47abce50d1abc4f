// SPDX-License-Identifier: GPL-2.0-or-later
/* forward: the switch's per-frame decision, one table row per rule, and fwd_parse() on every
 * truncation of untagged, 802.1Q- and 802.1ad-tagged frames. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "forward.h"
#include "mactable.h"

#define NOW 1000

/* The MACs of the table below: A behind the tap, B on site 1, C on site 2 (VLAN 0); V is a
 * VRRP-style MAC on site 1 in VLAN 10 and on site 2 in VLAN 20. U is known nowhere. */
static const uint8_t A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t C[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t U[6] = { 0x02, 0, 0, 0, 0, 0x0e };
static const uint8_t V[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x01 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };
static const uint8_t STP[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
static const uint8_t ZERO[6] = { 0 };

struct row {
	const char *name;
	const uint8_t *dst, *src;
	uint16_t vid;
	int ingress;
	bool c2c, blocked;
	/* expected */
	enum fwd_action action;
	int port;
	bool flood_tap;
	enum fwd_drop drop;
	enum fwd_class cls;
	bool learn;
};

static const struct row rows[] = {
	/* from the tap */
	{ "tap: to a site", B, A, 0, 0, false, false, FWD_PORT, 1, false, FWD_DROP_NONE,
	  FWD_KNOWN_UNICAST, true },
	{ "tap: to the other site", C, A, 0, 0, true, false, FWD_PORT, 2, false, FWD_DROP_NONE,
	  FWD_KNOWN_UNICAST, true },
	{ "tap to tap: dropped (the bridge's own side)", A, U, 0, 0, false, false, FWD_DROP, 0,
	  false, FWD_DROP_SAME_SIDE, FWD_KNOWN_UNICAST, true },
	{ "tap: unknown unicast flooded to the sites only", U, A, 0, 0, false, false, FWD_FLOOD, 0,
	  false, FWD_DROP_NONE, FWD_UNKNOWN_UNICAST, true },
	{ "tap: broadcast flooded to the sites", BCAST, A, 0, 0, false, false, FWD_FLOOD, 0, false,
	  FWD_DROP_NONE, FWD_BROADCAST, true },
	{ "tap: multicast flooded", MCAST, A, 0, 0, false, false, FWD_FLOOD, 0, false,
	  FWD_DROP_NONE, FWD_MULTICAST, true },
	{ "tap: a BPDU is flooded unchanged like any multicast", STP, A, 0, 0, false, false,
	  FWD_FLOOD, 0, false, FWD_DROP_NONE, FWD_MULTICAST, true },
	/* from a site, client-to-client off: everything to the tap */
	{ "site, no c2c: to the tap", A, B, 0, 1, false, false, FWD_TAP, 0, false, FWD_DROP_NONE,
	  FWD_KNOWN_UNICAST, true },
	{ "site, no c2c: to another site still goes to the tap", C, B, 0, 1, false, false, FWD_TAP,
	  0, false, FWD_DROP_NONE, FWD_KNOWN_UNICAST, true },
	{ "site, no c2c: broadcast to the tap only", BCAST, B, 0, 1, false, false, FWD_TAP, 0,
	  false, FWD_DROP_NONE, FWD_BROADCAST, true },
	{ "site, no c2c: unknown unicast to the tap", U, B, 0, 1, false, false, FWD_TAP, 0, false,
	  FWD_DROP_NONE, FWD_UNKNOWN_UNICAST, true },
	/* from a site, client-to-client on */
	{ "site, c2c: to the tap", A, B, 0, 1, true, false, FWD_TAP, 0, false, FWD_DROP_NONE,
	  FWD_KNOWN_UNICAST, true },
	{ "site, c2c: to another site directly", C, B, 0, 1, true, false, FWD_PORT, 2, false,
	  FWD_DROP_NONE, FWD_KNOWN_UNICAST, true },
	{ "site, c2c: split horizon (destination on the sender)", B, C, 0, 1, true, false, FWD_DROP,
	  0, false, FWD_DROP_SAME_SIDE, FWD_KNOWN_UNICAST, true },
	{ "site, c2c: unknown unicast flooded to tap and other sites", U, B, 0, 1, true, false,
	  FWD_FLOOD, 0, true, FWD_DROP_NONE, FWD_UNKNOWN_UNICAST, true },
	{ "site, c2c: broadcast flooded to tap and other sites", BCAST, B, 0, 2, true, false,
	  FWD_FLOOD, 0, true, FWD_DROP_NONE, FWD_BROADCAST, true },
	{ "site, c2c: to itself (destination = source)", B, B, 0, 2, true, false, FWD_DROP, 0,
	  false, FWD_DROP_SAME_SIDE, FWD_KNOWN_UNICAST, true },
	/* invalid sources: dropped, never learned */
	{ "group source MAC dropped", A, MCAST, 0, 1, true, false, FWD_DROP, 0, false,
	  FWD_DROP_BAD_SOURCE, FWD_KNOWN_UNICAST, false },
	{ "broadcast source MAC dropped", BCAST, BCAST, 0, 0, false, false, FWD_DROP, 0, false,
	  FWD_DROP_BAD_SOURCE, FWD_BROADCAST, false },
	{ "zero source MAC dropped", A, ZERO, 0, 1, false, false, FWD_DROP, 0, false,
	  FWD_DROP_BAD_SOURCE, FWD_KNOWN_UNICAST, false },
	/* loop protection */
	{ "blocked site: dropped, not learned", A, B, 0, 1, true, true, FWD_DROP, 0, false,
	  FWD_DROP_BLOCKED, FWD_KNOWN_UNICAST, false },
	{ "blocked tap: dropped", B, A, 0, 0, false, true, FWD_DROP, 0, false, FWD_DROP_BLOCKED,
	  FWD_KNOWN_UNICAST, false },
	/* VLANs: the destination is looked up in the frame's own VLAN */
	{ "VLAN 10: V is on site 1", V, A, 10, 0, false, false, FWD_PORT, 1, false, FWD_DROP_NONE,
	  FWD_KNOWN_UNICAST, true },
	{ "VLAN 20: the same V is on site 2", V, A, 20, 0, false, false, FWD_PORT, 2, false,
	  FWD_DROP_NONE, FWD_KNOWN_UNICAST, true },
	{ "VLAN 30: V unknown, flooded", V, A, 30, 0, false, false, FWD_FLOOD, 0, false,
	  FWD_DROP_NONE, FWD_UNKNOWN_UNICAST, true },
	{ "VLAN 10: B (learned untagged) unknown, flooded", B, A, 10, 0, false, false, FWD_FLOOD, 0,
	  false, FWD_DROP_NONE, FWD_UNKNOWN_UNICAST, true },
	{ "VLAN 20 from site 2, c2c: V on the sender itself", V, C, 20, 2, true, false, FWD_DROP, 0,
	  false, FWD_DROP_SAME_SIDE, FWD_KNOWN_UNICAST, true },
};

static struct mactable *table(void)
{
	struct mactable *t = mactable_new(64, 0, 300);

	assert_non_null(t);
	assert_int_equal(mactable_learn(t, A, 0, 0, NOW, NULL), MAC_NEW);
	assert_int_equal(mactable_learn(t, B, 0, 1, NOW, NULL), MAC_NEW);
	assert_int_equal(mactable_learn(t, C, 0, 2, NOW, NULL), MAC_NEW);
	assert_int_equal(mactable_learn(t, V, 10, 1, NOW, NULL), MAC_NEW);
	/* the same MAC in another VLAN on another site: a second entry, no move */
	assert_int_equal(mactable_learn(t, V, 20, 2, NOW, NULL), MAC_NEW);
	return t;
}

static void test_rules(void **state)
{
	struct mactable *t = table();

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const struct fwd_policy pol = { .client_to_client = r->c2c,
			                        .ingress_blocked = r->blocked };
		const struct fwd_frame f = { .dst = r->dst, .src = r->src, .vid = r->vid };
		struct fwd_decision d = fwd_decide(t, &f, r->ingress, &pol, NOW + 1);

		if (d.action != r->action || d.drop != r->drop || d.cls != r->cls ||
		    d.learn != r->learn || (r->action == FWD_PORT && d.port != r->port) ||
		    (r->action == FWD_FLOOD && d.flood_tap != r->flood_tap))
			fail_msg("%s: action %d port %d flood_tap %d drop %s class %d learn %d",
			         r->name, d.action, d.port, d.flood_tap, fwd_drop_name(d.drop),
			         d.cls, d.learn);
	}
	mactable_free(t);
}

/* A known destination whose entry aged is unknown again: flooded. */
static void test_aged_destination_floods(void **state)
{
	struct mactable *t = table();
	const struct fwd_policy pol = { 0 };
	const struct fwd_frame f = { .dst = B, .src = A };

	(void)state;
	assert_int_equal(fwd_decide(t, &f, 0, &pol, NOW + 299).action, FWD_PORT);
	assert_int_equal(fwd_decide(t, &f, 0, &pol, NOW + 300).action, FWD_FLOOD);
	assert_int_equal(fwd_decide(t, &f, 0, &pol, NOW + 300).cls, FWD_UNKNOWN_UNICAST);
	mactable_free(t);
}

/* The same MAC moving between ports within one VLAN is a move (and flaps when it keeps
 * moving); across VLANs it never is. */
static void test_vlan_keeps_macs_apart(void **state)
{
	struct mactable *t = table();
	int old;

	(void)state;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(mactable_learn(t, V, 10, 1, NOW + i, &old), MAC_REFRESHED);
		assert_int_equal(mactable_learn(t, V, 20, 2, NOW + i, &old), MAC_REFRESHED);
	}
	assert_false(mactable_flapping(t, V, 10, NOW + 5));
	assert_int_equal(mactable_learn(t, V, 10, 2, NOW + 6, &old), MAC_MOVED);
	assert_int_equal(old, 1);
	assert_int_equal(mactable_lookup(t, V, 20, NOW + 6), 2);
	assert_int_equal(mactable_learn(t, V, 4096, 2, NOW + 6, &old), MAC_IGNORED);
	mactable_free(t);
}

static void test_parse(void **state)
{
	uint8_t frame[64] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00 };
	struct fwd_frame f;

	(void)state;
	for (size_t len = 0; len < 14; len++)
		assert_int_equal(fwd_parse(frame, len, &f), -EINVAL);
	assert_int_equal(fwd_parse(frame, 14, &f), 0);
	assert_ptr_equal(f.dst, frame);
	assert_ptr_equal(f.src, frame + 6);
	assert_int_equal(f.vid, 0);
	/* 802.1Q, priority 5, VLAN 0xabc */
	memcpy(frame + 12, "\x81\x00\xaa\xbc\x08\x00", 6);
	for (size_t len = 14; len < 18; len++)
		assert_int_equal(fwd_parse(frame, len, &f), -EINVAL);
	assert_int_equal(fwd_parse(frame, 18, &f), 0);
	assert_int_equal(f.vid, 0xabc);
	/* 802.1ad outer tag VLAN 7 over an 802.1Q inner tag: the outer one counts */
	memcpy(frame + 12, "\x88\xa8\x00\x07\x81\x00\x00\x09\x08\x00", 10);
	assert_int_equal(fwd_parse(frame, 22, &f), 0);
	assert_int_equal(f.vid, 7);
	/* a priority tag (VLAN 0) is untagged as far as learning goes */
	memcpy(frame + 12, "\x81\x00\xe0\x00\x08\x00", 6);
	assert_int_equal(fwd_parse(frame, 18, &f), 0);
	assert_int_equal(f.vid, 0);
	/* any other EtherType carries no tag, whatever follows */
	memcpy(frame + 12, "\x91\x00\x00\x05", 4);
	assert_int_equal(fwd_parse(frame, 14, &f), 0);
	assert_int_equal(f.vid, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_aged_destination_floods),
		cmocka_unit_test(test_vlan_keeps_macs_apart),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
