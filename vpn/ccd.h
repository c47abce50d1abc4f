/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ccd: the switch policy of one site, from client-config-dir (a file named after the site's
 * certificate CN, read when the site connects, so a SIGHUP, which reconnects every site,
 * applies a changed file) over the configuration's defaults.
 */
#ifndef L2VPN_CCD_H
#define L2VPN_CCD_H

#include "config.h"

/* The file name client-config-dir uses for CN, in BUF: CN with every character other than
 * letters, digits, '.', '-', '_' and '@' replaced by '_', as OpenVPN maps it. false when no
 * safe name results (empty, "." or ".."). */
bool ccd_file_name(const char *cn, char *buf, size_t len);

/* The policy of the site with common name CN (LABEL names it in log lines) into *OUT: CFG's
 * defaults, overridden by its client-config-dir file when there is one. Returns 0, or
 * -EACCES when the site is refused (its file says `disable`, or ccd-exclusive and it has no
 * file, or its CN names no safe file), or -EINVAL when its file is broken: each logged with
 * the reason (file:line for a broken file). */
int ccd_policy(const struct config *cfg, const char *cn, const char *label,
               struct site_policy *out);

#endif
