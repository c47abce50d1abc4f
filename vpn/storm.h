/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * storm: storm control's token buckets, one per port and kind of flooded frame (broadcast,
 * multicast, unknown unicast). A bucket holds up to BURST frames and refills at RATE frames a
 * second; a frame that finds it empty is dropped. Pure: the caller passes the time.
 */
#ifndef L2VPN_STORM_H
#define L2VPN_STORM_H

#include <stdbool.h>
#include <stdint.h>

enum storm_kind {
	STORM_BROADCAST,
	STORM_MULTICAST,
	STORM_UNKNOWN_UNICAST,
	STORM_N,
};

/* A limit: RATE frames a second with bursts of BURST; RATE 0 means no limit. */
struct storm_limit {
	unsigned rate, burst;
};

struct storm_bucket {
	uint64_t tokens; /* thousandths of a frame */
	uint64_t last_ms;
	bool started;
};

struct storm_port {
	struct storm_limit limit[STORM_N];
	struct storm_bucket bucket[STORM_N];
	uint64_t dropped[STORM_N];
};

/* Set PORT's limits to LIMITS (STORM_N of them); its buckets start full. */
void storm_port_set(struct storm_port *port, const struct storm_limit *limits);

/* True when a frame of KIND may pass PORT at NOW_MS (monotonic milliseconds): always without
 * a limit, else when its bucket holds a token (taken). A refused frame is counted in
 * port->dropped[KIND]. */
bool storm_admit(struct storm_port *port, enum storm_kind kind, uint64_t now_ms);

/* True when PORT limits any kind at all. */
bool storm_active(const struct storm_port *port);

/* "broadcast", "multicast", "unknown-unicast". */
const char *storm_kind_name(enum storm_kind kind);

#endif
