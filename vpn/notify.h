/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify: telling systemd (Type=notify) how the daemon is: READY=1 once it serves, STATUS=
 * lines with the link state, RELOADING=1 and READY=1 around a reload, STOPPING=1, and
 * WATCHDOG=1 every half WatchdogSec while the loop turns. Without NOTIFY_SOCKET (not started
 * by systemd) every call does nothing.
 */
#ifndef L2VPN_NOTIFY_H
#define L2VPN_NOTIFY_H

#include <stdint.h>

struct notify {
	uint64_t watchdog_ms;      /* half of WatchdogSec; 0: no watchdog */
	uint64_t next_watchdog_ms; /* when the next WATCHDOG=1 is due */
	char status[256];          /* the STATUS= last sent */
};

/* Read WATCHDOG_USEC (and WATCHDOG_PID) from the environment. */
void notify_init(struct notify *n);

/* READY=1 with STATUS (may be NULL). */
void notify_ready(struct notify *n, const char *status);

/* RELOADING=1 (a READY=1 follows once the new configuration serves). */
void notify_reloading(void);

/* STOPPING=1. */
void notify_stopping(void);

/* STATUS=TEXT, when it differs from the last one sent. */
void notify_status(struct notify *n, const char *text);

/* WATCHDOG=1 if one is due at NOW_MS (monotonic); returns the milliseconds until the next
 * is due (-1: no watchdog), for the loop's timeout. */
int notify_watchdog(struct notify *n, uint64_t now_ms);

#endif
