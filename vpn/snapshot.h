/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot: the daemon's numbers at this moment, as the struct metrics_snapshot that metrics.h
 * formats (the management commands `status json` and `metrics`, the metrics file). Text in it
 * points into the daemon's peers: format it before the loop turns again.
 */
#ifndef L2VPN_SNAPSHOT_H
#define L2VPN_SNAPSHOT_H

#include "context.h"
#include "metrics.h"

struct snapshot {
	struct metrics_snapshot s;
	struct metrics_site *sites; /* owned */
	struct metrics_mac *macs;   /* owned */
};

/* Fill SNAP from VPN, up UPTIME seconds. 0 or -ENOMEM; free it with snapshot_free() either
 * way. */
int snapshot_take(struct vpn *vpn, uint64_t uptime, struct snapshot *snap);

void snapshot_free(struct snapshot *snap);

#endif
