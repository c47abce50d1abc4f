/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control: the daemon's side of the management interface (mgmt.h) and of the metrics file.
 * It answers the interface's commands from struct vpn (status, kill, signal, hold release,
 * byte counts), turns the life of the links into OpenVPN's states (>STATE:) and the log into
 * >LOG: lines (through log.c's sink), holds the daemon with management-hold, and writes the
 * metrics file every metrics-file interval.
 *
 * States: a client goes TCP_CONNECT (connect() started), WAIT (TCP up, TLS handshake), AUTH
 * (certificate verified, waiting for the server to admit the site), CONNECTED (frames flow),
 * RECONNECTING (the link closed: the reason; or SIGUSR1/SIGHUP); a server is CONNECTED once it
 * listens, RECONNECTING on SIGUSR1/SIGHUP; both end with EXITING. CONNECTING is the first
 * state after a hold release.
 */
#ifndef L2VPN_CONTROL_H
#define L2VPN_CONTROL_H

#include "context.h"

/* Set up VPN->control from VPN->cfg: the management socket (before privileges are dropped),
 * its password file, the log sink. 0 or -errno (logged; the daemon must not start). */
int control_open(struct vpn *vpn);

/* The daemon is ready to connect or listen: hold when the hold flag is set (the server's
 * listeners are bound, not listening), else go (a server starts accepting). 0 or -errno. */
int control_start(struct vpn *vpn);

/* The daemon waits for `hold release`: no connection is made or accepted. */
bool control_held(const struct vpn *vpn);

/* Once a second: byte counts due, the metrics file. */
void control_tick(struct vpn *vpn);

/* Signal SIGNO arrived: the reason given with the next RECONNECTING or EXITING state. */
void control_signal(struct vpn *vpn, int signo);

/* The connections were restarted (SIGUSR1, SIGHUP): RECONNECTING, then hold again when the
 * hold flag is set (the server stops accepting), else go on. */
void control_restarted(struct vpn *vpn);

/* The daemon is about to exit: EXITING. */
void control_stopping(struct vpn *vpn);

/* Close the management interface, stop the log sink, free VPN->control (NULL: no-op). */
void control_close(struct vpn *vpn);

/* --test-config: the management password file CFG names can be read, the socket's owner and
 * group exist. 0 or -errno (printed). */
int control_test_config(const struct config *cfg);

#endif
