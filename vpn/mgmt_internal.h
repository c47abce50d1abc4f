/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the management interface: what mgmt.c (sockets, clients, output queues,
 * notifications) and mgmt_cmd.c (the commands) share. Not for other modules: they use mgmt.h.
 */
#ifndef L2VPN_MGMT_INTERNAL_H
#define L2VPN_MGMT_INTERNAL_H

#include "mgmt.h"
#include "mgmt_history.h"
#include "mgmt_line.h"
#include "ratelimit.h"

struct mgmt_client {
	struct mgmt *m;
	struct mgmt_client *next;
	struct watch watch;
	char label[96];      /* who, for log lines: "127.0.0.1:40000", "unix pid 42 uid 0" */
	struct mgmt_line in; /* the command line being read */
	char *out;           /* output not yet taken by the socket: out[out_off..out_len) */
	size_t out_len, out_off, out_cap;
	bool dead;    /* closed; freed at the next mgmt_tick() */
	bool closing; /* close once the output is written (quit, EOF, bad password) */
	bool authed;  /* the password was given (or none is asked) */
	bool log_on, state_on, echo_on;
	unsigned bytecount; /* seconds between >BYTECOUNT notifications; 0: off */
	uint64_t next_bytecount;
};

struct mgmt_listener {
	struct watch watch;
	struct mgmt *m;
};

struct mgmt {
	struct mgmt_ops ops;
	void *arg;
	struct mgmt_listener listener;
	char *unix_path; /* the socket we created, removed at close; NULL for TCP */
	dev_t unix_dev;
	ino_t unix_ino;
	char *password;
	char *version;
	struct mgmt_client *clients;
	unsigned n_clients; /* not dead */
	bool hold_flag;     /* hold on/off */
	bool held;          /* the daemon waits for hold release now */
	uint64_t now;       /* monotonic seconds of the last mgmt_tick() */
	struct mgmt_history log, state, echo;
	struct ratelimit refused_log;  /* clients beyond MGMT_CLIENTS_MAX */
	struct ratelimit overflow_log; /* clients dropped for not reading */
};

/* Client C's complete command LINE (its password first, when one is asked). */
void mgmt_command(struct mgmt_client *c, char *line);

/* LEN bytes of DATA to C's output as they are (line ends included). */
void mgmt_write(struct mgmt_client *c, const char *data, size_t len);

/* TEXT, lines ending "\n", to C with every line ended "\r\n". */
void mgmt_write_text(struct mgmt_client *c, const char *text);

/* The banner (and the hold notice while held) to C. */
void mgmt_welcome(struct mgmt_client *c);

/* Close C once its output is written (at once when there is none). */
void mgmt_close_after_output(struct mgmt_client *c);

/* `log|state|echo all|N`: the last N (0: all) entries of H, "TIME,TEXT" each, then END. */
void mgmt_history_reply(struct mgmt_client *c, const struct mgmt_history *h, size_t n);

/* `echo TEXT`: keep TEXT and send it as >ECHO: to the clients with echo on. */
void mgmt_echo(struct mgmt *m, time_t when, const char *text);

#endif
