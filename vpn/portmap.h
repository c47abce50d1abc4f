/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Switch port numbers for the sites connected to a server: 1..PORTMAP_MAX, handed out at the
 * smallest free number and given back when the site goes, so numbers never run out or wrap
 * however many connections come and go (port 0 is the local tap and never handed out). Pure.
 */
#ifndef L2VPN_PORTMAP_H
#define L2VPN_PORTMAP_H

#include <stdint.h>

#define PORTMAP_MAX 65535 /* as many as max-clients allows */

struct portmap {
	uint64_t bits[(PORTMAP_MAX + 1 + 63) / 64]; /* bit N set: port N in use (bit 0 always) */
	unsigned used;                              /* ports handed out */
};

/* All ports free. */
void portmap_init(struct portmap *m);

/* The smallest free port (1..PORTMAP_MAX), now in use; -ENOSPC when every one is taken. */
int portmap_take(struct portmap *m);

/* Give PORT back. Ports outside 1..PORTMAP_MAX or not in use are ignored. */
void portmap_put(struct portmap *m, int port);

#endif
