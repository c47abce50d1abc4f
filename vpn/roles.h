/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Server (listener, accept, duplicate CN) and client (remotes, connect, backoff) roles. */
#ifndef L2VPN_ROLES_H
#define L2VPN_ROLES_H

#include "context.h"

/* Open the listening sockets of `local`/`lport`; with ACCEPT_NOW false they are only bound
 * (connections are refused) until server_accept(). 0 or -errno (logged). */
int server_listen(struct vpn *vpn, bool accept_now);
/* Listen and accept (ON), or stop taking connections (they wait in the backlog). 0 or -errno
 * (logged). */
int server_accept(struct vpn *vpn, bool on);
void server_close(struct vpn *vpn);

/* remote-random: shuffle the remote list once (call at start). */
void client_shuffle_remotes(struct vpn *vpn);
/* Start a connection attempt when due. Call each loop turn. */
void client_tick(struct vpn *vpn);
/* Milliseconds until the next attempt is due (-1: none pending). */
int client_wait_ms(const struct vpn *vpn);
/* Reconnect at once (SIGUSR1/SIGHUP). */
void client_restart_now(struct vpn *vpn);

#endif
