/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl: `l2vpn --ctl PATH|HOST:PORT [--ctl-password FILE] COMMAND...`, a one-shot client of the
 * management interface: it connects, reads the banner (answering the password prompt from
 * FILE's first line), sends COMMAND, prints the reply and exits. A bare `status` is shown as
 * tables; every other reply as the daemon sends it (without the closing END, except for
 * `status N`, whose layout ends with it).
 */
#ifndef L2VPN_CTL_H
#define L2VPN_CTL_H

/* argv[1] is --ctl or --ctl-password. Returns the exit code: 0 success, 1 an ERROR reply or a
 * failure to talk to the daemon, 2 usage. */
int ctl_main(int argc, char **argv);

#endif
