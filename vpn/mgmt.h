/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt: the management interface, OpenVPN's management protocol (version 5) on a TCP port or a
 * unix socket, so tools written for OpenVPN work unchanged. Commands are lines; replies are one
 * "SUCCESS: ..." or "ERROR: ..." line, or lines ending with "END"; real-time notifications are
 * lines starting with '>' (>INFO, >STATE, >LOG, >ECHO, >BYTECOUNT, >BYTECOUNT_CLI, >HOLD). Every
 * line ends with "\r\n", as OpenVPN's do.
 *
 * The module owns its sockets and knows nothing of the daemon: what a command does to the
 * daemon goes through the table of callbacks (struct mgmt_ops) its owner passes. Sockets are
 * non-blocking in the owner's event loop; several clients (at most MGMT_CLIENTS_MAX) may be
 * connected at once, each with its own settings (log on, bytecount, ...). A client's output
 * waits in a queue bounded by MGMT_OUT_MAX bytes: a client that does not read is disconnected
 * (and that is logged, rate-limited) instead of holding up the daemon.
 */
#ifndef L2VPN_MGMT_H
#define L2VPN_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "context.h"

#define MGMT_VERSION     5            /* the OpenVPN management interface version spoken */
#define MGMT_CLIENTS_MAX 8            /* clients connected at once */
#define MGMT_OUT_MAX     (256 * 1024) /* bytes a client may leave unread */

struct mgmt;
struct mgmt_client;

/* What commands do to the daemon. Every callback gets the owner's ARG. */
struct mgmt_ops {
	/* Register W with the event loop for EVENTS (0 removes it). 0 or -errno. */
	int (*watch)(void *arg, struct watch *w, uint32_t events);
	/* `status [N]`: the status text in layout N (1..3; 0: the configured one), lines ending
	 * "\n", the last one "END", in *OUT (malloc'd). 0 or -errno. */
	int (*status)(void *arg, int version, char **out);
	/* `status json` / `metrics`: the document in *OUT (malloc'd). 0 or -errno. */
	int (*status_json)(void *arg, char **out);
	int (*metrics)(void *arg, char **out);
	/* `load-stats`: sites with a working link and the bytes of all links. */
	void (*load_stats)(void *arg, unsigned *sites, uint64_t *bytes_in, uint64_t *bytes_out);
	/* `kill CN`, `kill IP:PORT`, `client-kill CID`: close the matching sites; how many were
	 * closed (0: none matched), or -ENOTSUP when the daemon is no server. */
	int (*kill_cn)(void *arg, const char *cn);
	int (*kill_addr)(void *arg, const struct sockaddr *sa);
	int (*kill_cid)(void *arg, unsigned long cid);
	/* `signal SIG`: the same as receiving SIG. 0 or -errno. */
	int (*signal)(void *arg, int signo);
	/* `hold release`: leave the hold, if held. */
	void (*hold_release)(void *arg);
	/* `bytecount N` is due for C: write its lines with mgmt_printf(). */
	void (*bytecount)(void *arg, struct mgmt_client *c);
};

struct mgmt_config {
	const char *address;  /* TCP address, or the unix socket's path */
	unsigned port;        /* TCP port; 0: ADDRESS is a unix socket */
	const char *password; /* NULL: none asked */
	uid_t owner;          /* unix socket owner, (uid_t)-1: the daemon's user */
	gid_t group;          /* unix socket group, (gid_t)-1: none (mode 0600, else 0660) */
	size_t history;       /* log and state lines kept (>= 1) */
	bool hold;            /* the hold flag at start (management-hold) */
	const char *version;  /* l2vpn's version, for the banner and `version` */
};

/* Open the listening socket of CFG (an existing unix socket at its path is replaced; any other
 * file there, or a socket someone still listens on, is refused) and register it through OPS.
 * CFG's strings are copied. 0 with *OUT set, or -errno (logged). */
int mgmt_open(struct mgmt **out, const struct mgmt_config *cfg, const struct mgmt_ops *ops,
              void *arg);

/* Close every client and the listener, remove the unix socket it created, free M (NULL: no-op).
 */
void mgmt_close(struct mgmt *m);

/* About once a second, NOW monotonic seconds: bytecount notifications that are due, and the
 * memory of clients closed since the last call. */
void mgmt_tick(struct mgmt *m, uint64_t now);

/* A log line (the log sink, see log.h): kept for `log all` and sent as >LOG: to the clients
 * that asked with `log on`. */
void mgmt_log(struct mgmt *m, int level, time_t when, const char *line);

/* A state change (OpenVPN's state NAME: CONNECTING, WAIT, AUTH, CONNECTED, RECONNECTING,
 * EXITING, ...), with DESC and the addresses (any may be NULL): kept for `state` and sent as
 * >STATE: to the clients that asked with `state on`. */
struct mgmt_state {
	const char *name, *desc;
	const char *remote_ip, *remote_port, *local_ip, *local_port;
};
void mgmt_state(struct mgmt *m, time_t when, const struct mgmt_state *st);

/* The daemon waits for `hold release` (HELD true) or goes on (false): while held, every client
 * (and each one that connects) is told ">HOLD:Waiting for hold release:0". */
void mgmt_set_held(struct mgmt *m, bool held);

/* The hold flag (`hold on|off`, management-hold): hold again at the next restart. */
bool mgmt_hold_flag(const struct mgmt *m);

/* One line to client C (the line end is added). */
void mgmt_printf(struct mgmt_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clients connected (password given or not). */
unsigned mgmt_clients(const struct mgmt *m);

#endif
