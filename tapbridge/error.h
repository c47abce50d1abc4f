/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to tapbridge: filling a struct tb_err. */
#ifndef L2VPN_TAPBRIDGE_ERROR_H
#define L2VPN_TAPBRIDGE_ERROR_H

#include "tapbridge.h"

/* Fill ERR (may be NULL) with "FMT: strerror(-CODE)" (the kernel's errno text) and return
 * CODE, a negative errno. */
int tb_fail(struct tb_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
