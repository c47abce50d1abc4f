/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A token bucket for log lines (and anything else a stranger can trigger at will): BURST events
 * pass at once, then one every INTERVAL_MS; the rest are counted so the next line that passes
 * can say how many were suppressed. Pure: the caller passes the time.
 */
#ifndef L2VPN_RATELIMIT_H
#define L2VPN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	unsigned burst;       /* events that may pass back to back */
	uint64_t interval_ms; /* one more token every this many milliseconds */
	unsigned tokens;
	uint64_t refilled_ms; /* when tokens were last topped up */
	uint64_t suppressed;  /* events refused since the last one that passed */
	bool started;
};

/* A bucket that lets BURST events through at once and then one per INTERVAL_MS. */
void ratelimit_init(struct ratelimit *rl, unsigned burst, uint64_t interval_ms);

/* May an event at NOW_MS (monotonic milliseconds) pass? true: it may, and *SUPPRESSED (may be
 * NULL) gets the number refused since the previous one that passed (then reset). false: it is
 * counted as suppressed. */
bool ratelimit_pass(struct ratelimit *rl, uint64_t now_ms, uint64_t *suppressed);

#endif
