/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_file: `metrics-file PATH`, the Prometheus text for node_exporter's textfile
 * collector, replaced atomically (a temporary file renamed over PATH: readers never see a
 * partial file, and a symlink at PATH is replaced, never followed). A write that fails is
 * logged at most once a minute, with the failures in between, and once more when it works
 * again.
 */
#ifndef L2VPN_METRICS_FILE_H
#define L2VPN_METRICS_FILE_H

#include <stdint.h>

#include "ratelimit.h"

struct metrics_file {
	struct ratelimit log;
	uint64_t failures; /* in a row, since the last write that worked */
};

void metrics_file_init(struct metrics_file *mf);

/* Replace PATH with TEXT (mode 0644), NOW_MS monotonic milliseconds for the error log's rate.
 * 0 or -errno (logged as said above). */
int metrics_file_write(struct metrics_file *mf, const char *path, const char *text,
                       uint64_t now_ms);

#endif
