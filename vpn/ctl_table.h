/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl_table: `l2vpn --ctl ... status` for people: the status text the management interface
 * sends (a server's layout 2, or a client's statistics) as aligned tables. Pure: no I/O.
 */
#ifndef L2VPN_CTL_TABLE_H
#define L2VPN_CTL_TABLE_H

/* TEXT, a status in layout 2 ("TITLE,...") or a client's "OpenVPN STATISTICS", as tables in
 * *OUT (malloc'd, lines ending "\n"). 0, -EINVAL (TEXT is neither) or -ENOMEM. */
int ctl_status_table(const char *text, char **out);

#endif
