// SPDX-License-Identifier: GPL-2.0-or-later
/* mactable: learning, refresh, move, ageing, per-port and table caps, group/zero MACs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mactable.h"

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t ipv6_mcast[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t zero[6] = { 0 };

/* A distinct unicast MAC for every N. */
static void mac_n(uint8_t mac[6], unsigned n)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void test_mac_classes(void **state)
{
	(void)state;
	assert_true(mac_is_group(bcast));
	assert_true(mac_is_group(mcast));
	assert_true(mac_is_group(ipv6_mcast));
	assert_false(mac_is_group(mac_a));
	assert_false(mac_is_group(zero));
	assert_true(mac_is_zero(zero));
	assert_false(mac_is_zero(mac_a));
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_null(mactable_new(0, 10, 300));
	mactable_free(NULL);
}

static void test_learn_refresh_lookup(void **state)
{
	struct mactable *t = mactable_new(100, 10, 300);
	int old = 42;

	(void)state;
	assert_non_null(t);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 0), -1);
	assert_int_equal(mactable_learn(t, mac_a, 0, 1, 10, &old), MAC_NEW);
	assert_int_equal(old, -1);
	assert_int_equal(mactable_learn(t, mac_b, 0, 0, 10, NULL), MAC_NEW);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 11), 1);
	assert_int_equal(mactable_lookup(t, mac_b, 0, 11), 0);
	assert_int_equal(mactable_learn(t, mac_a, 0, 1, 20, &old), MAC_REFRESHED);
	assert_int_equal(old, -1);
	assert_int_equal(mactable_count(t), 2);
	assert_int_equal(mactable_port_count(t, 1), 1);
	assert_int_equal(mactable_port_count(t, 0), 1);
	assert_int_equal(mactable_port_count(t, 7), 0);
	mactable_free(t);
}

static void test_never_learn_group_or_zero(void **state)
{
	struct mactable *t = mactable_new(100, 10, 300);
	int old;

	(void)state;
	assert_int_equal(mactable_learn(t, bcast, 0, 1, 1, &old), MAC_IGNORED);
	assert_int_equal(mactable_learn(t, mcast, 0, 1, 1, &old), MAC_IGNORED);
	assert_int_equal(mactable_learn(t, ipv6_mcast, 0, 1, 1, &old), MAC_IGNORED);
	assert_int_equal(mactable_learn(t, zero, 0, 1, 1, &old), MAC_IGNORED);
	assert_int_equal(mactable_learn(t, mac_a, 0, -1, 1, &old), MAC_IGNORED);
	assert_int_equal(mactable_count(t), 0);
	assert_int_equal(mactable_lookup(t, bcast, 0, 1), -1);
	assert_int_equal(mactable_lookup(t, mcast, 0, 1), -1);
	assert_int_equal(mactable_lookup(t, zero, 0, 1), -1);
	mactable_free(t);
}

static void test_move_at_once(void **state)
{
	struct mactable *t = mactable_new(100, 10, 300);
	int old = -7;

	(void)state;
	mactable_learn(t, mac_a, 0, 1, 100, NULL);
	assert_int_equal(mactable_learn(t, mac_a, 0, 2, 101, &old), MAC_MOVED);
	assert_int_equal(old, 1);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 101), 2);
	assert_int_equal(mactable_port_count(t, 1), 0);
	assert_int_equal(mactable_port_count(t, 2), 1);
	assert_int_equal(mactable_count(t), 1);
	/* back to the local tap */
	assert_int_equal(mactable_learn(t, mac_a, 0, 0, 102, &old), MAC_MOVED);
	assert_int_equal(old, 2);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 102), 0);
	mactable_free(t);
}

static void test_flapping(void **state)
{
	struct mactable *t = mactable_new(100, 10, 300);

	(void)state;
	mactable_learn(t, mac_a, 0, 1, 100, NULL);
	/* one migration is not flapping */
	assert_int_equal(mactable_learn(t, mac_a, 0, 2, 101, NULL), MAC_MOVED);
	assert_false(mactable_flapping(t, mac_a, 0, 101));
	assert_int_equal(mactable_learn(t, mac_a, 0, 1, 102, NULL), MAC_MOVED);
	assert_false(mactable_flapping(t, mac_a, 0, 102));
	assert_int_equal(mactable_learn(t, mac_a, 0, 2, 103, NULL), MAC_MOVED);
	assert_true(mactable_flapping(t, mac_a, 0, 103));
	/* the window passes */
	assert_false(mactable_flapping(t, mac_a, 0, 101 + MACTABLE_FLAP_WINDOW));
	/* moves spread out further than the window are migrations, not flapping */
	for (unsigned i = 0; i < 5; i++)
		mactable_learn(t, mac_b, 0, 1 + (int)(i % 2), 1000 + i * MACTABLE_FLAP_WINDOW,
		               NULL);
	assert_false(mactable_flapping(t, mac_b, 0, 1000 + 4 * MACTABLE_FLAP_WINDOW));
	assert_false(mactable_flapping(t, bcast, 0, 103));
	mactable_free(t);
}

static void test_ageing(void **state)
{
	struct mactable *t = mactable_new(100, 10, 300);
	int old = 5;

	(void)state;
	mactable_learn(t, mac_a, 0, 1, 1000, NULL);
	mactable_learn(t, mac_b, 0, 2, 1200, NULL);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 1299), 1);
	assert_int_equal(mactable_lookup(t, mac_a, 0, 1300), -1); /* aged: flood */
	assert_int_equal(mactable_count(t), 2);                   /* still held until expired */
	mactable_expire(t, 1300);
	assert_int_equal(mactable_count(t), 1);
	assert_int_equal(mactable_port_count(t, 1), 0);
	assert_int_equal(mactable_lookup(t, mac_b, 0, 1300), 2);
	/* an aged entry re-learned elsewhere is new, not a move */
	assert_int_equal(mactable_learn(t, mac_b, 0, 3, 1500, &old), MAC_NEW);
	assert_int_equal(old, -1);
	assert_int_equal(mactable_lookup(t, mac_b, 0, 1500), 3);
	assert_int_equal(mactable_port_count(t, 2), 0);
	assert_int_equal(mactable_port_count(t, 3), 1);
	/* refreshing keeps an entry alive */
	assert_int_equal(mactable_learn(t, mac_b, 0, 3, 1700, NULL), MAC_REFRESHED);
	assert_int_equal(mactable_lookup(t, mac_b, 0, 1999), 3);
	mactable_free(t);
}

static void test_no_ageing(void **state)
{
	struct mactable *t = mactable_new(10, 0, 0);

	(void)state;
	mactable_learn(t, mac_a, 0, 1, 0, NULL);
	mactable_expire(t, UINT64_MAX);
	assert_int_equal(mactable_lookup(t, mac_a, 0, UINT64_MAX), 1);
	mactable_free(t);
}

static void test_forget_port(void **state)
{
	struct mactable *t = mactable_new(1000, 0, 300);
	uint8_t mac[6];

	(void)state;
	for (unsigned i = 0; i < 300; i++) {
		mac_n(mac, i);
		assert_int_equal(mactable_learn(t, mac, 0, (int)(i % 3), 1, NULL), MAC_NEW);
	}
	mactable_forget_port(t, 1);
	assert_int_equal(mactable_count(t), 200);
	assert_int_equal(mactable_port_count(t, 1), 0);
	for (unsigned i = 0; i < 300; i++) {
		mac_n(mac, i);
		assert_int_equal(mactable_lookup(t, mac, 0, 2), i % 3 == 1 ? -1 : (int)(i % 3));
	}
	mactable_forget_port(t, 9); /* unknown port: nothing happens */
	assert_int_equal(mactable_count(t), 200);
	mactable_free(t);
}

static void test_per_port_cap(void **state)
{
	struct mactable *t = mactable_new(100, 3, 300);
	uint8_t mac[6];
	int old = 9;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		mac_n(mac, i);
		assert_int_equal(mactable_learn(t, mac, 0, 1, 1, NULL), MAC_NEW);
	}
	mac_n(mac, 3);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 1, NULL), MAC_FULL);
	assert_int_equal(mactable_lookup(t, mac, 0, 1), -1);
	/* other ports are unaffected; the local tap has no per-port cap */
	assert_int_equal(mactable_learn(t, mac, 0, 2, 1, NULL), MAC_NEW);
	for (unsigned i = 10; i < 20; i++) {
		mac_n(mac, i);
		assert_int_equal(mactable_learn(t, mac, 0, 0, 1, NULL), MAC_NEW);
	}
	/* a move onto a full port is refused and drops the stale entry */
	mac_n(mac, 3);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 2, &old), MAC_FULL);
	assert_int_equal(old, 2);
	assert_int_equal(mactable_lookup(t, mac, 0, 2), -1);
	assert_int_equal(mactable_port_count(t, 2), 0);
	/* once an entry on the full port ages out, learning works again */
	mac_n(mac, 0);
	mactable_learn(t, mac, 0, 1, 100, NULL); /* keep 0 fresh; 1 and 2 age at 301 */
	mac_n(mac, 4);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 301, NULL), MAC_NEW);
	assert_int_equal(mactable_port_count(t, 1), 2);
	mactable_free(t);
}

static void test_table_full(void **state)
{
	struct mactable *t = mactable_new(8, 0, 60);
	uint8_t mac[6];

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		mac_n(mac, i);
		assert_int_equal(mactable_learn(t, mac, 0, 1, 10, NULL), MAC_NEW);
	}
	mac_n(mac, 8);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 10, NULL), MAC_FULL);
	assert_int_equal(mactable_count(t), 8);
	/* known MACs still refresh and move when the table is full */
	mac_n(mac, 0);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 20, NULL), MAC_REFRESHED);
	assert_int_equal(mactable_learn(t, mac, 0, 2, 30, NULL), MAC_MOVED);
	/* after ageing, the sweep on a full table makes room */
	mac_n(mac, 8);
	assert_int_equal(mactable_learn(t, mac, 0, 1, 75, NULL), MAC_NEW);
	assert_int_equal(mactable_count(t), 2);
	mactable_free(t);
}

struct visit {
	unsigned count;
	unsigned on_port[4];
	uint64_t max_seen;
};

static void visit_cb(const uint8_t mac[6], uint16_t vid, int port, uint64_t last_seen, void *arg)
{
	struct visit *v = arg;

	assert_false(mac_is_group(mac));
	assert_int_equal(vid, 0);
	v->count++;
	if (port >= 0 && port < 4)
		v->on_port[port]++;
	if (last_seen > v->max_seen)
		v->max_seen = last_seen;
}

/* Many entries with collisions: a full-size table, churn by removal and re-learning, then
 * check every lookup (exercises probe chains and backward-shift deletion). */
static void test_many_entries(void **state)
{
	enum { N = 4096 };
	struct mactable *t = mactable_new(N, 0, 1000);
	struct visit v = { 0 };
	uint8_t mac[6];

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		mac_n(mac, i * 2654435761u);
		assert_int_equal(mactable_learn(t, mac, 0, (int)(i % 4), i / 64, NULL), MAC_NEW);
	}
	assert_int_equal(mactable_count(t), N);
	mactable_forget_port(t, 3);
	mactable_expire(t, 1000 + 31); /* entries learned at second < 32 are gone */
	for (unsigned i = 0; i < N; i++) {
		bool present = i % 4 != 3 && i / 64 >= 32;

		mac_n(mac, i * 2654435761u);
		assert_int_equal(mactable_lookup(t, mac, 0, 1000 + 31),
		                 present ? (int)(i % 4) : -1);
	}
	mactable_foreach(t, visit_cb, &v);
	assert_int_equal(v.count, mactable_count(t));
	assert_int_equal(v.count, (N / 2) * 3 / 4);
	assert_int_equal(v.on_port[3], 0);
	assert_int_equal(v.on_port[0], mactable_port_count(t, 0));
	assert_int_equal(v.max_seen, (N - 1) / 64);
	/* refill what was removed */
	for (unsigned i = 0; i < N; i++) {
		mac_n(mac, i * 2654435761u);
		mactable_learn(t, mac, 0, 1, 2000, NULL);
	}
	assert_int_equal(mactable_count(t), N);
	assert_int_equal(mactable_port_count(t, 1), N);
	for (unsigned i = 0; i < N; i++) {
		mac_n(mac, i * 2654435761u);
		assert_int_equal(mactable_lookup(t, mac, 0, 2000), 1);
	}
	mactable_free(t);
}

/* Per-port limits (a site's client-config-dir): port 1 may hold 2 MACs that age after 10 s,
 * port 2 keeps the table's cap of 3 and age of 100 s; clearing goes back to those. */
static void test_port_limits(void **state)
{
	struct mactable *t = mactable_new(64, 3, 100);
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };

	(void)state;
	assert_non_null(t);
	assert_int_equal(mactable_set_port_limits(t, 1, 2, 10), 0);
	assert_int_equal(mactable_set_port_limits(t, 0, 2, 10), -1); /* the tap has none */
	for (int i = 1; i <= 3; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(mactable_learn(t, mac, 0, 1, 1000, NULL),
		                 i <= 2 ? MAC_NEW : MAC_FULL);
		mac[5] = (uint8_t)(0x10 + i);
		assert_int_equal(mactable_learn(t, mac, 0, 2, 1000, NULL), MAC_NEW);
	}
	mac[5] = 0x14;
	assert_int_equal(mactable_learn(t, mac, 0, 2, 1000, NULL), MAC_FULL);
	mac[5] = 1;
	assert_int_equal(mactable_lookup(t, mac, 0, 1009), 1);
	assert_int_equal(mactable_lookup(t, mac, 0, 1010), -1); /* port 1's age */
	mac[5] = 0x11;
	assert_int_equal(mactable_lookup(t, mac, 0, 1010), 2);
	assert_int_equal(mactable_lookup(t, mac, 0, 1100), -1); /* the table's age */
	/* back to the table's limits: port 1 ages after 100 s and takes a third MAC */
	mactable_clear_port_limits(t, 1);
	mactable_expire(t, 2000);
	for (int i = 1; i <= 3; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(mactable_learn(t, mac, 0, 1, 2000, NULL), MAC_NEW);
	}
	assert_int_equal(mactable_lookup(t, mac, 0, 2099), 1);
	mactable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_classes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_learn_refresh_lookup),
		cmocka_unit_test(test_never_learn_group_or_zero),
		cmocka_unit_test(test_move_at_once),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_ageing),
		cmocka_unit_test(test_no_ageing),
		cmocka_unit_test(test_forget_port),
		cmocka_unit_test(test_per_port_cap),
		cmocka_unit_test(test_port_limits),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_many_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
