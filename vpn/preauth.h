/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Server: the budget for connections that have not authenticated yet. Anyone on the internet
 * can open them, so they get their own bounds, apart from the sites that completed HELLO
 * (max-clients): at most preauth-max at once, at most preauth-max-per-source from one address
 * (IPv6: one /64), each with preauth-timeout to reach a working link. When the table is full,
 * a connection from the source holding the most slots makes room (the one that got least far,
 * then the quietest), so a real site, one slot whose handshake moves on every round trip, gets
 * through a flood. Refusals
 * are counted and logged one line per reason per interval; a spare descriptor sheds connections
 * when descriptors run out, and the listeners then pause instead of spinning.
 */
#ifndef L2VPN_PREAUTH_H
#define L2VPN_PREAUTH_H

#include <stdbool.h>
#include <sys/socket.h>

#include "context.h"

/* Set up the state (rate limits, spare descriptor). 0 or -errno. */
int preauth_init(struct vpn *vpn);
void preauth_free(struct vpn *vpn);

/* Same source for the per-source cap: the IPv4 address (also when v4-mapped), or the /64 of an
 * IPv6 address. Pure. */
bool preauth_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* May a new connection from SS take a pending slot? Refused (counted, logged; the caller closes
 * it) when its source is at its cap; when the table is full preauth_evict() makes room. */
bool preauth_admit(struct vpn *vpn, const struct sockaddr_storage *ss);

/* Close one pending connection, counted under WHY: one that got far (a handshake under way, TLS
 * done) only when no other is left; else one from the source holding the most slots, the one
 * that got least far (silent, a stalled ClientHello, too young to tell), then the quietest.
 * false when none is pending. Its descriptor is free when this returns. */
bool preauth_evict(struct vpn *vpn, enum preauth_refusal why);

/* Count a refusal and log it, at most one line per reason per interval (with how many were
 * suppressed). ADDR names the source. */
void preauth_refused(struct vpn *vpn, enum preauth_refusal why, const char *addr);

/* accept() failed with ERR (positive errno). Out of descriptors: make room by evicting a
 * pending connection (true: try accept again), else shed one waiting connection with the spare
 * descriptor and pause the listeners with a growing backoff (false). Other errors pause too. */
bool preauth_accept_failed(struct vpn *vpn, int err);

/* An accept succeeded: the backoff starts from its shortest again. */
void preauth_accept_ok(struct vpn *vpn);

/* Listeners paused and due to resume: poll them again. Call each loop turn. */
void preauth_tick(struct vpn *vpn);

/* Milliseconds until the listeners resume (-1: not paused). */
int preauth_wait_ms(const struct vpn *vpn);

/* Raise the soft RLIMIT_NOFILE to what max-clients and preauth-max need (server) or a few
 * (client); logs a warning when the hard limit is lower. */
void preauth_raise_fd_limit(const struct config *cfg);

#endif
