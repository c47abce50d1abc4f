// SPDX-License-Identifier: GPL-2.0-or-later
#include "rekey.h"

void rekey_mark_set(struct rekey_mark *mark, uint64_t now, uint64_t bytes, uint64_t pkts)
{
	mark->at = now;
	mark->bytes = bytes;
	mark->pkts = pkts;
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

enum rekey_reason rekey_due(const struct rekey_limits *lim, const struct rekey_mark *mark,
                            uint64_t now, uint64_t bytes, uint64_t pkts)
{
	if (lim->bytes && since(bytes, mark->bytes) >= lim->bytes)
		return REKEY_BYTES;
	if (lim->pkts && since(pkts, mark->pkts) >= lim->pkts)
		return REKEY_PKTS;
	if (lim->sec && since(now, mark->at) >= lim->sec)
		return REKEY_TIME;
	return REKEY_NONE;
}

const char *rekey_reason_name(enum rekey_reason reason)
{
	switch (reason) {
	case REKEY_TIME:
		return "reneg-sec";
	case REKEY_BYTES:
		return "reneg-bytes";
	case REKEY_PKTS:
		return "reneg-pkts";
	case REKEY_NONE:
		break;
	}
	return "none";
}
