// SPDX-License-Identifier: GPL-2.0-or-later
/* comp: LZO round trips, incompressible data, adaptive back-off, decompression bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "comp.h"

#define FRAME 1514

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint8_t rand_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 32);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rand_byte();
}

/* Looks like a frame of text-ish payload: compresses well. */
static void fill_compressible(uint8_t *p, size_t n)
{
	static const char text[] = "GET /index.html HTTP/1.1\r\nHost: lan.example.com\r\n";

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)text[i % (sizeof(text) - 1)];
}

static int setup(void **state)
{
	(void)state;
	return comp_global_init();
}

static void test_round_trip(void **state)
{
	struct comp *c = comp_new(false);
	uint8_t in[FRAME], out[FRAME + FRAME / 16 + 67], back[FRAME];
	const struct comp_stats *st;
	ssize_t n, m;

	(void)state;
	assert_non_null(c);
	assert_true(comp_bound(FRAME) <= sizeof(out));
	fill_compressible(in, sizeof(in));
	n = comp_compress(c, in, sizeof(in), out, sizeof(out), 0);
	assert_true(n > 0);
	assert_true(n < FRAME / 2);
	m = comp_decompress(c, out, (size_t)n, back, sizeof(back));
	assert_int_equal(m, FRAME);
	assert_memory_equal(back, in, FRAME);
	st = comp_get_stats(c);
	assert_int_equal(st->pre_compress, FRAME);
	assert_int_equal(st->post_compress, n);
	assert_int_equal(st->frames_compressed, 1);
	assert_int_equal(st->frames_uncompressed, 0);
	assert_int_equal(st->pre_decompress, n);
	assert_int_equal(st->post_decompress, FRAME);
	comp_free(c);
}

static void test_incompressible(void **state)
{
	struct comp *c = comp_new(false);
	uint8_t in[FRAME], out[2 * FRAME];
	const struct comp_stats *st;

	(void)state;
	fill_random(in, sizeof(in));
	assert_int_equal(comp_compress(c, in, sizeof(in), out, sizeof(out), 0), 0);
	st = comp_get_stats(c);
	assert_int_equal(st->pre_compress, FRAME);
	assert_int_equal(st->post_compress, FRAME);
	assert_int_equal(st->frames_uncompressed, 1);
	assert_int_equal(st->frames_compressed, 0);
	comp_free(c);
}

static void test_small_and_zero_length(void **state)
{
	struct comp *c = comp_new(true);
	uint8_t in[COMP_MIN_LEN] = { 0 }, out[512], back[16];

	(void)state;
	/* zeros compress, but frames below the threshold are not tried */
	assert_int_equal(comp_compress(c, in, COMP_MIN_LEN - 1, out, sizeof(out), 0), 0);
	assert_int_equal(comp_compress(c, in, 0, out, sizeof(out), 0), 0);
	assert_true(comp_compress(c, in, COMP_MIN_LEN, out, sizeof(out), 0) > 0);
	/* an output buffer below the bound: skipped, not overrun */
	assert_int_equal(comp_compress(c, in, COMP_MIN_LEN, out, comp_bound(COMP_MIN_LEN) - 1, 0),
	                 0);
	assert_int_equal(comp_decompress(c, out, 0, back, sizeof(back)), -EBADMSG);
	comp_free(c);
}

/* Adaptive mode: a window of incompressible frames pauses compression (compressible frames
 * then pass uncompressed), and it tries again after the pause. */
static void test_adaptive_backoff(void **state)
{
	struct comp *c = comp_new(true);
	uint8_t rnd[FRAME], txt[FRAME], out[2 * FRAME];
	uint64_t now = 5000;

	(void)state;
	fill_random(rnd, sizeof(rnd));
	fill_compressible(txt, sizeof(txt));
	for (unsigned i = 0; i < COMP_ADAPT_WINDOW; i++) {
		assert_false(comp_adaptive_paused(c, now));
		assert_int_equal(comp_compress(c, rnd, sizeof(rnd), out, sizeof(out), now), 0);
		now += 10;
	}
	assert_true(comp_adaptive_paused(c, now));
	assert_int_equal(comp_compress(c, txt, sizeof(txt), out, sizeof(out), now), 0);
	assert_int_equal(comp_get_stats(c)->frames_uncompressed, COMP_ADAPT_WINDOW + 1);
	/* still paused just before the pause ends */
	now = 5000 + 10 * (COMP_ADAPT_WINDOW - 1) + COMP_ADAPT_PAUSE_MS - 1;
	assert_int_equal(comp_compress(c, txt, sizeof(txt), out, sizeof(out), now), 0);
	now++;
	assert_false(comp_adaptive_paused(c, now));
	assert_true(comp_compress(c, txt, sizeof(txt), out, sizeof(out), now) > 0);
	comp_free(c);
}

/* A window where enough frames compress keeps compression on; non-adaptive never pauses. */
static void test_adaptive_mixed_and_off(void **state)
{
	struct comp *adaptive = comp_new(true), *plain = comp_new(false);
	uint8_t rnd[FRAME], txt[FRAME], out[2 * FRAME];

	(void)state;
	fill_random(rnd, sizeof(rnd));
	fill_compressible(txt, sizeof(txt));
	for (unsigned i = 0; i < 4 * COMP_ADAPT_WINDOW; i++) {
		/* COMP_ADAPT_FAILS - 1 failures per window at most */
		const uint8_t *in = i % COMP_ADAPT_WINDOW < COMP_ADAPT_FAILS - 1 ? rnd : txt;

		comp_compress(adaptive, in, FRAME, out, sizeof(out), i);
		comp_compress(plain, rnd, FRAME, out, sizeof(out), i);
	}
	assert_false(comp_adaptive_paused(adaptive, 4 * COMP_ADAPT_WINDOW));
	assert_true(comp_compress(adaptive, txt, FRAME, out, sizeof(out), 1000) > 0);
	assert_false(comp_adaptive_paused(plain, 4 * COMP_ADAPT_WINDOW));
	assert_true(comp_compress(plain, txt, FRAME, out, sizeof(out), 1000) > 0);
	comp_free(adaptive);
	comp_free(plain);
}

static void test_decompress_corrupt(void **state)
{
	struct comp *c = comp_new(false);
	uint8_t in[FRAME], out[2 * FRAME], back[FRAME];
	ssize_t n;

	(void)state;
	fill_compressible(in, sizeof(in));
	n = comp_compress(c, in, sizeof(in), out, sizeof(out), 0);
	assert_true(n > 4);
	/* truncated streams */
	for (size_t len = 1; len < (size_t)n; len++)
		assert_true(comp_decompress(c, out, len, back, sizeof(back)) < 0);
	/* trailing garbage */
	out[n] = 0x11;
	assert_int_equal(comp_decompress(c, out, (size_t)n + 1, back, sizeof(back)), -EBADMSG);
	/* random bytes */
	fill_random(out, 64);
	assert_true(comp_decompress(c, out, 64, back, sizeof(back)) < 0);
	assert_int_equal(comp_get_stats(c)->pre_decompress, 0);
	comp_free(c);
}

/* A small compressed input that expands far beyond MAX_OUT: refused, nothing written past it. */
static void test_decompress_bomb_bounded(void **state)
{
	struct comp *c = comp_new(false);
	enum { BIG = 65536, SMALL = 1500 };
	uint8_t *in = calloc(1, BIG), *out = malloc(comp_bound(BIG)), *back = malloc(SMALL + 64);
	ssize_t n;

	(void)state;
	n = comp_compress(c, in, BIG, out, comp_bound(BIG), 0);
	assert_true(n > 0);
	assert_true(n < 1024);
	memset(back, 0xa5, SMALL + 64);
	assert_int_equal(comp_decompress(c, out, (size_t)n, back, SMALL), -EMSGSIZE);
	for (size_t i = SMALL; i < SMALL + 64; i++)
		assert_int_equal(back[i], 0xa5);
	/* exactly large enough works */
	free(back);
	back = malloc(BIG);
	assert_int_equal(comp_decompress(c, out, (size_t)n, back, BIG), BIG);
	assert_int_equal(comp_decompress(c, out, (size_t)n, back, BIG - 1), -EMSGSIZE);
	free(in);
	free(out);
	free(back);
	comp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_incompressible),
		cmocka_unit_test(test_small_and_zero_length),
		cmocka_unit_test(test_adaptive_backoff),
		cmocka_unit_test(test_adaptive_mixed_and_off),
		cmocka_unit_test(test_decompress_corrupt),
		cmocka_unit_test(test_decompress_bomb_bounded),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
