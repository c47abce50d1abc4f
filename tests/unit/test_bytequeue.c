// SPDX-License-Identifier: GPL-2.0-or-later
/* The bounded byte queue: capacity is a hard limit, compaction keeps data intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdbool.h>
#include "bytequeue.h"

static void test_reserve_respects_capacity(void **state)
{
	struct bytequeue q;
	(void)state;

	assert_int_equal(bq_init(&q, 100), 0);
	assert_non_null(bq_reserve(&q, 100));
	assert_null(bq_reserve(&q, 101));
	bq_commit(&q, 60);
	assert_int_equal(bq_len(&q), 60);
	assert_int_equal(bq_space(&q), 40);
	assert_null(bq_reserve(&q, 41));
	assert_non_null(bq_reserve(&q, 40));
	bq_free(&q);
}

static void test_fifo_order_across_compaction(void **state)
{
	struct bytequeue q;
	uint8_t *dst;
	const uint8_t *src;
	size_t len;
	(void)state;

	assert_int_equal(bq_init(&q, 16), 0);
	dst = bq_reserve(&q, 10);
	memcpy(dst, "0123456789", 10);
	bq_commit(&q, 10);
	bq_consume(&q, 6);        /* "6789" left at offset 6 */
	dst = bq_reserve(&q, 10); /* needs compaction: only 6 bytes at the tail */
	assert_non_null(dst);
	memcpy(dst, "abcdefghij", 10);
	bq_commit(&q, 10);
	src = bq_peek(&q, &len);
	assert_int_equal(len, 14);
	assert_memory_equal(src, "6789abcdefghij", 14);
	bq_consume(&q, 14);
	assert_int_equal(bq_len(&q), 0);
	bq_free(&q);
}

static void test_no_costly_compaction(void **state)
{
	struct bytequeue q;
	(void)state;

	assert_int_equal(bq_init(&q, 100), 0);
	bq_reserve(&q, 90);
	bq_commit(&q, 90);
	bq_consume(&q, 20); /* 70 queued at offset 20, 10 free at the tail */
	/* 30 bytes fit in total, but moving 70 bytes to gain 20 is refused */
	assert_null(bq_reserve(&q, 15));
	bq_consume(&q, 40); /* 30 queued at offset 60: moving them frees 60 */
	assert_non_null(bq_reserve(&q, 15));
	assert_int_equal(q.head, 0);
	bq_free(&q);
}

static void test_tail_room(void **state)
{
	struct bytequeue q;
	size_t room;
	(void)state;

	assert_int_equal(bq_init(&q, 32), 0);
	bq_reserve(&q, 32);
	bq_commit(&q, 32);
	bq_tail_room(&q, &room);
	assert_int_equal(room, 0);
	bq_consume(&q, 20);
	bq_tail_room(&q, &room);
	assert_int_equal(room, 20);
	bq_free(&q);
}

/* A queue grows on request (a connection starts small and grows once authenticated), keeping
 * its bytes in order; it never shrinks, and growth never happens by appending. */
static void test_grow_keeps_bytes(void **state)
{
	struct bytequeue q;
	uint8_t *dst;
	const uint8_t *src;
	size_t len;
	(void)state;

	assert_int_equal(bq_init(&q, 8), 0);
	dst = bq_reserve(&q, 8);
	memcpy(dst, "abcdefgh", 8);
	bq_commit(&q, 8);
	bq_consume(&q, 3);
	assert_null(bq_reserve(&q, 6));
	assert_int_equal(bq_grow(&q, 64), 0);
	assert_int_equal(q.cap, 64);
	src = bq_peek(&q, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(src, "defgh", 5);
	assert_non_null(bq_reserve(&q, 59));
	assert_null(bq_reserve(&q, 60));
	assert_int_equal(bq_grow(&q, 16), 0); /* never shrinks */
	assert_int_equal(q.cap, 64);
	src = bq_peek(&q, &len);
	assert_memory_equal(src, "defgh", 5);
	bq_free(&q);
}

/* A peer's send queue: frames (1,500-byte messages) fill it whenever they can while the link
 * drains it in uneven chunks; every round a PING of ours and a PONG (12 bytes each) are
 * queued, at the end a goodbye of up to 259 bytes. Returns how many control messages were
 * refused. NEW: frames leave 512 bytes with bq_reserve_keep(), PING and goodbye use
 * bq_reserve_now(), a PONG plain bq_reserve(). Otherwise all use plain bq_reserve(). */
static unsigned fill_and_drain(bool new, unsigned rounds)
{
	struct bytequeue q;
	unsigned seed = 1, refused = 0;
	uint8_t *dst;

	assert_int_equal(bq_init(&q, 64 * 1024), 0);
	for (unsigned i = 0; i < rounds; i++) {
		seed = seed * 1103515245u + 12345u;
		while ((dst = new ? bq_reserve_keep(&q, 1500, 512) : bq_reserve(&q, 1500)))
			bq_commit(&q, 1500);
		dst = new ? bq_reserve_now(&q, 12) : bq_reserve(&q, 12);
		if (dst)
			bq_commit(&q, 12);
		refused += !dst;
		dst = bq_reserve(&q, 12);
		if (dst)
			bq_commit(&q, 12);
		refused += !dst;
		bq_consume(&q, (seed >> 8) % (bq_len(&q) + 1));
	}
	while ((dst = new ? bq_reserve_keep(&q, 1500, 512) : bq_reserve(&q, 1500)))
		bq_commit(&q, 1500);
	refused += !(new ? bq_reserve_now(&q, 259) : bq_reserve(&q, 259));
	bq_free(&q);
	return refused;
}

static void test_control_room(void **state)
{
	struct bytequeue q;
	const uint8_t *src;
	size_t len;

	(void)state;
	assert_int_equal(fill_and_drain(true, 5000), 0);
	/* With plain reservations about one in fifty is refused (212 of 10,001). */
	assert_true(fill_and_drain(false, 5000) > 100);

	/* KEEP counts against the capacity, without overflow. */
	assert_int_equal(bq_init(&q, 100), 0);
	assert_null(bq_reserve_keep(&q, 90, 11));
	assert_non_null(bq_reserve_keep(&q, 90, 10));
	assert_null(bq_reserve_keep(&q, 10, SIZE_MAX));
	assert_null(bq_reserve_keep(&q, SIZE_MAX, 10));

	/* bq_reserve_now() moves even a long queue for a few bytes, keeping the order. */
	memset(bq_reserve(&q, 100), 'a', 100);
	bq_commit(&q, 100);
	bq_consume(&q, 10); /* 90 queued at offset 10, no room at the tail */
	assert_null(bq_reserve(&q, 5));
	assert_null(bq_reserve_now(&q, 11));
	memcpy(bq_reserve_now(&q, 10), "0123456789", 10);
	bq_commit(&q, 10);
	src = bq_peek(&q, &len);
	assert_int_equal(len, 100);
	assert_memory_equal(src + 90, "0123456789", 10);
	assert_int_equal(src[89], 'a');
	bq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve_respects_capacity),
		cmocka_unit_test(test_fifo_order_across_compaction),
		cmocka_unit_test(test_no_costly_compaction),
		cmocka_unit_test(test_tail_room),
		cmocka_unit_test(test_grow_keeps_bytes),
		cmocka_unit_test(test_control_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
