/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * comp: LZO1X-1 frame compression (liblzo2) with OpenVPN-like adaptive back-off. No I/O.
 *
 * Adaptive mode: compression results are judged in windows of COMP_ADAPT_WINDOW attempted
 * frames. When at least COMP_ADAPT_FAILS of a window did not get smaller, compression pauses
 * for COMP_ADAPT_PAUSE_MS (comp_compress returns 0 without trying), then a fresh window starts.
 * Frames shorter than COMP_MIN_LEN are never tried (LZO rarely wins there) and do not count.
 */
#ifndef L2VPN_COMP_H
#define L2VPN_COMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define COMP_MIN_LEN        100
#define COMP_ADAPT_WINDOW   16
#define COMP_ADAPT_FAILS    12
#define COMP_ADAPT_PAUSE_MS 60000

/* One-time library initialisation (lzo_init()). 0 or -EIO (liblzo2 mismatch). */
int comp_global_init(void);

/* Byte and frame counters. pre_compress: bytes handed to comp_compress (every call);
 * post_compress: bytes that leave it (the compressed length, or the original length when a
 * frame stays uncompressed); frames_compressed / frames_uncompressed count those two outcomes.
 * pre_decompress / post_decompress: input and output bytes of successful decompressions. */
struct comp_stats {
	uint64_t pre_compress, post_compress, pre_decompress, post_decompress, frames_compressed,
	    frames_uncompressed;
};

struct comp;

/* A compression context owning the LZO1X-1 work memory; ADAPTIVE enables the back-off.
 * NULL when out of memory. */
struct comp *comp_new(bool adaptive);
void comp_free(struct comp *c);

/* Worst-case LZO1X output size for LEN input bytes: LEN + LEN/16 + 64 + 3. */
size_t comp_bound(size_t len);

/* Try LZO1X-1 on IN. Returns the compressed length (> 0, < LEN) written to OUT, or 0 when it
 * does not make the frame smaller, LEN is below COMP_MIN_LEN, or adaptive mode is pausing.
 * OUT_CAP should be at least comp_bound(LEN); with less, compression is skipped (0). NOW_MS:
 * monotonic milliseconds (only used in adaptive mode). Updates the stats. Never fails. */
ssize_t comp_compress(struct comp *c, const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                      uint64_t now_ms);

/* Safe decompression (lzo1x_decompress_safe) of IN into OUT, never writing more than MAX_OUT
 * bytes. Returns the length (> 0), -EMSGSIZE if the output would exceed MAX_OUT, -EBADMSG for
 * corrupt or empty input (or input that decompresses to nothing). */
ssize_t comp_decompress(struct comp *c, const uint8_t *in, size_t len, uint8_t *out,
                        size_t max_out);

const struct comp_stats *comp_get_stats(const struct comp *c);

/* True while adaptive mode pauses compression at NOW_MS. */
bool comp_adaptive_paused(const struct comp *c, uint64_t now_ms);

#endif
