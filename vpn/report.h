/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status report (`status FILE N`, SIGUSR2): a snapshot of the daemon in OpenVPN's layouts. */
#ifndef L2VPN_REPORT_H
#define L2VPN_REPORT_H

#include "context.h"

/* Format the current status (server: status-version layout; client: statistics) into *OUT
 * (malloc'd, caller frees). 0 or -ENOMEM. */
int report_format(struct vpn *vpn, char **out);

/* Rewrite the status file if one is configured. FALLBACK_FD: the file opened before dropping
 * privileges (-1 if none), used when the directory is not writable for an atomic replace. */
void report_write_file(struct vpn *vpn, int fallback_fd);

/* Write the status to the log, one line per status line (SIGUSR2). */
void report_log(struct vpn *vpn);

/* One log line with the data path's counters (tap, segmentation, drops), at LEVEL. */
void report_counters(struct vpn *vpn, int level);

#endif
