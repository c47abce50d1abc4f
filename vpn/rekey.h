/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS key lifetime policy: whether a link's keys are due for an update, from the time and the
 * traffic since the last one (reneg-sec, reneg-bytes, reneg-pkts). Pure: no I/O, no TLS.
 */
#ifndef L2VPN_REKEY_H
#define L2VPN_REKEY_H

#include <stdint.h>

/* The limits; 0 turns one off. */
struct rekey_limits {
	uint64_t sec;   /* seconds under one key */
	uint64_t bytes; /* TLS payload bytes sent + received under one key */
	uint64_t pkts;  /* frames sent + received under one key */
};

/* Where the current key started: the clock and the link's running totals then. */
struct rekey_mark {
	uint64_t at, bytes, pkts;
};

enum rekey_reason {
	REKEY_NONE = 0,
	REKEY_TIME,
	REKEY_BYTES,
	REKEY_PKTS,
};

/* Start a key's life at NOW with the link's running totals BYTES and PKTS. */
void rekey_mark_set(struct rekey_mark *mark, uint64_t now, uint64_t bytes, uint64_t pkts);

/* Which limit of LIM the key started at MARK has reached at NOW with running totals BYTES and
 * PKTS (bytes first, then packets, then time), or REKEY_NONE. Totals below the mark (a reset
 * counter) count as no traffic. */
enum rekey_reason rekey_due(const struct rekey_limits *lim, const struct rekey_mark *mark,
                            uint64_t now, uint64_t bytes, uint64_t pkts);

/* The directive behind REASON ("reneg-bytes", ...), for log lines. */
const char *rekey_reason_name(enum rekey_reason reason);

#endif
