/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status report (`status FILE N`, SIGUSR2): a snapshot of the daemon in OpenVPN's layouts. */
#ifndef L2VPN_REPORT_H
#define L2VPN_REPORT_H

#include <sys/types.h>

#include "context.h"

/* Format the current status (server: status-version layout; client: statistics) into *OUT
 * (malloc'd, caller frees). 0 or -ENOMEM. */
int report_format(struct vpn *vpn, char **out);

/* The same in the server layout VERSION (1..3; 0: the configured one), for the management
 * interface's `status N`; a client's statistics have one layout. 0, -EINVAL or -ENOMEM. */
int report_format_version(struct vpn *vpn, int version, char **out);

/* Open the status file of CFG before dropping privileges, for report_write_file() to rewrite in
 * place when the daemon's user may not replace it. The file is never followed through a
 * symlink and must be a regular file with one link owned by us or by RUN_UID, the uid the
 * daemon drops to ((uid_t)-1: none); a refused file is logged as a warning naming the path and
 * why. Returns the fd, or -1 (none configured, or refused). */
int report_open_status(const struct config *cfg, uid_t run_uid);

/* Rewrite the status file if one is configured: replaced atomically (a temporary file renamed
 * over it, so a symlink at the path is replaced, never followed); when the directory does not
 * allow that, FALLBACK_FD from report_open_status() (-1 if none) is rewritten in place. */
void report_write_file(struct vpn *vpn, int fallback_fd);

/* Write the status to the log, one line per status line (SIGUSR2). */
void report_log(struct vpn *vpn);

/* One log line with the data path's counters (tap, segmentation, drops), at LEVEL. */
void report_counters(struct vpn *vpn, int level);

#endif
