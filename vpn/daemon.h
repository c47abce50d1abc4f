/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tunnel daemon's top level: set up, run the loop, handle signals, tear down. */
#ifndef L2VPN_DAEMON_H
#define L2VPN_DAEMON_H

#include "config.h"

/* Run the daemon for CFG (parsed from ARGC/ARGV, which SIGHUP re-reads). Returns the process
 * exit code: 0 after SIGTERM/SIGINT, 1 when setup fails. */
int daemon_main(struct config *cfg, int argc, char **argv);

/* --test-config: load everything CFG names (CA, certificate and key, CRL) without touching
 * devices or sockets; prints "configuration OK" or the errors. Returns the exit code 0/1. */
int daemon_test_config(const struct config *cfg);

#endif
