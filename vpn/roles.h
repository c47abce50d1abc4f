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
/* A peer completed its HELLO: apply duplicate-cn (an older link with the same CN is replaced),
 * then max-clients, and give it a switch port. false: the new peer was refused (a goodbye
 * saying why is on its way). */
bool server_peer_verified(struct peer *p);
/* A peer is gone: its switch port is free again (after its MACs were forgotten). */
void server_peer_closed(struct peer *p);

/* remote-random: shuffle the remote list once (call at start). */
void client_shuffle_remotes(struct vpn *vpn);
/* Start a connection attempt when due. Call each loop turn. */
void client_tick(struct vpn *vpn);
/* Milliseconds until the next attempt is due (-1: none pending). */
int client_wait_ms(const struct vpn *vpn);
/* The link is up: its remote is tried first next time. */
void client_peer_up(struct vpn *vpn);
/* The link went away (or an attempt failed): after a session of some seconds reconnect at once
 * with the backoff reset, else schedule the next attempt with the backoff growing. */
void client_peer_closed(struct vpn *vpn, bool was_up);
/* Reconnect at once (SIGUSR1/SIGHUP). */
void client_restart_now(struct vpn *vpn);

#endif
