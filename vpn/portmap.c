// SPDX-License-Identifier: GPL-2.0-or-later
#include "portmap.h"

#include <errno.h>
#include <string.h>

void portmap_init(struct portmap *m)
{
	memset(m, 0, sizeof(*m));
	m->bits[0] = 1; /* port 0 is the tap */
}

int portmap_take(struct portmap *m)
{
	/* Strategy: skip full words, then take the lowest clear bit of the first that is not. */
	for (size_t w = 0; w < sizeof(m->bits) / sizeof(m->bits[0]); w++) {
		int bit, port;

		if (m->bits[w] == UINT64_MAX)
			continue;
		bit = __builtin_ctzll(~m->bits[w]);
		port = (int)(w * 64) + bit;
		if (port > PORTMAP_MAX)
			break;
		m->bits[w] |= UINT64_C(1) << bit;
		m->used++;
		return port;
	}
	return -ENOSPC;
}

void portmap_put(struct portmap *m, int port)
{
	uint64_t mask;

	if (port < 1 || port > PORTMAP_MAX)
		return;
	mask = UINT64_C(1) << (port % 64);
	if (!(m->bits[port / 64] & mask))
		return;
	m->bits[port / 64] &= ~mask;
	m->used--;
}
