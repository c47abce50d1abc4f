// SPDX-License-Identifier: GPL-2.0-or-later
/* comp: LZO1X-1 wrapper with adaptive back-off (see comp.h). */
#include <errno.h>
#include <stdlib.h>

#include "config-build.h"
#if defined(HAVE_LZO_LZO1X_H)
#include <lzo/lzo1x.h>
#elif defined(HAVE_LZO1X_H)
#include <lzo1x.h>
#else
#error "no LZO header"
#endif

#include "comp.h"

struct comp {
	void *work; /* LZO1X_1_MEM_COMPRESS bytes */
	bool adaptive;
	unsigned tried;  /* frames tried in the current window */
	unsigned failed; /* of those, frames that did not get smaller */
	bool paused;
	uint64_t pause_until; /* ms */
	struct comp_stats stats;
};

int comp_global_init(void)
{
	return lzo_init() == LZO_E_OK ? 0 : -EIO;
}

struct comp *comp_new(bool adaptive)
{
	struct comp *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->work = malloc(LZO1X_1_MEM_COMPRESS);
	if (!c->work) {
		free(c);
		return NULL;
	}
	c->adaptive = adaptive;
	return c;
}

void comp_free(struct comp *c)
{
	if (!c)
		return;
	free(c->work);
	free(c);
}

size_t comp_bound(size_t len)
{
	return len + len / 16 + 64 + 3;
}

bool comp_adaptive_paused(const struct comp *c, uint64_t now_ms)
{
	return c->adaptive && c->paused && now_ms < c->pause_until;
}

/* Adaptive bookkeeping after one attempt. */
static void adapt(struct comp *c, bool smaller, uint64_t now_ms)
{
	if (!c->adaptive)
		return;
	c->tried++;
	if (!smaller)
		c->failed++;
	if (c->tried < COMP_ADAPT_WINDOW)
		return;
	if (c->failed >= COMP_ADAPT_FAILS) {
		c->paused = true;
		c->pause_until = now_ms + COMP_ADAPT_PAUSE_MS;
	}
	c->tried = 0;
	c->failed = 0;
}

static ssize_t uncompressed(struct comp *c, size_t len)
{
	c->stats.post_compress += len;
	c->stats.frames_uncompressed++;
	return 0;
}

ssize_t comp_compress(struct comp *c, const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                      uint64_t now_ms)
{
	lzo_uint out_len = 0;
	bool smaller;

	c->stats.pre_compress += len;
	if (len < COMP_MIN_LEN || out_cap < comp_bound(len))
		return uncompressed(c, len);
	if (c->paused) {
		if (now_ms < c->pause_until)
			return uncompressed(c, len);
		c->paused = false;
	}
	smaller = lzo1x_1_compress(in, len, out, &out_len, c->work) == LZO_E_OK && out_len > 0 &&
	          out_len < len;
	adapt(c, smaller, now_ms);
	if (!smaller)
		return uncompressed(c, len);
	c->stats.post_compress += out_len;
	c->stats.frames_compressed++;
	return (ssize_t)out_len;
}

ssize_t comp_decompress(struct comp *c, const uint8_t *in, size_t len, uint8_t *out, size_t max_out)
{
	lzo_uint out_len = max_out;
	int ret;

	if (len == 0)
		return -EBADMSG;
	ret = lzo1x_decompress_safe(in, len, out, &out_len, NULL);
	if (ret == LZO_E_OUTPUT_OVERRUN)
		return -EMSGSIZE;
	if (ret != LZO_E_OK || out_len == 0 || out_len > max_out)
		return -EBADMSG;
	c->stats.pre_decompress += len;
	c->stats.post_decompress += out_len;
	return (ssize_t)out_len;
}

const struct comp_stats *comp_get_stats(const struct comp *c)
{
	return &c->stats;
}
