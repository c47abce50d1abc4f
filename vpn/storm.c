// SPDX-License-Identifier: GPL-2.0-or-later
/* storm: storm control's token buckets (see storm.h). */
#include "storm.h"

#define MILLI 1000u /* tokens are counted in thousandths of a frame */

void storm_port_set(struct storm_port *port, const struct storm_limit *limits)
{
	for (int k = 0; k < STORM_N; k++) {
		port->limit[k] = limits[k];
		if (port->limit[k].rate && !port->limit[k].burst)
			port->limit[k].burst = port->limit[k].rate;
		port->bucket[k].started = false;
	}
}

bool storm_admit(struct storm_port *port, enum storm_kind kind, uint64_t now_ms)
{
	const struct storm_limit *l = &port->limit[kind];
	struct storm_bucket *b = &port->bucket[kind];
	uint64_t cap = (uint64_t)l->burst * MILLI;

	if (!l->rate)
		return true;
	if (!b->started) {
		b->started = true;
		b->tokens = cap;
	} else if (now_ms > b->last_ms) {
		/* RATE frames a second = RATE thousandths of a frame a millisecond. */
		uint64_t add = (now_ms - b->last_ms) * l->rate;

		b->tokens = add >= cap || b->tokens >= cap - add ? cap : b->tokens + add;
	}
	b->last_ms = now_ms;
	if (b->tokens >= MILLI) {
		b->tokens -= MILLI;
		return true;
	}
	port->dropped[kind]++;
	return false;
}

bool storm_active(const struct storm_port *port)
{
	for (int k = 0; k < STORM_N; k++)
		if (port->limit[k].rate)
			return true;
	return false;
}

const char *storm_kind_name(enum storm_kind kind)
{
	static const char *const names[STORM_N] = { "broadcast", "multicast", "unknown-unicast" };

	return (unsigned)kind < STORM_N ? names[kind] : "?";
}
