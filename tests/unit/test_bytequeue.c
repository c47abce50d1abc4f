// SPDX-License-Identifier: GPL-2.0-or-later
/* The bounded byte queue: capacity is a hard limit, compaction keeps data intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve_respects_capacity),
		cmocka_unit_test(test_fifo_order_across_compaction),
		cmocka_unit_test(test_no_costly_compaction),
		cmocka_unit_test(test_tail_room),
		cmocka_unit_test(test_grow_keeps_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
