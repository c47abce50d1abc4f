/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt_history: the last N lines of one kind the management interface keeps for its `log all`,
 * `state all` and `echo all` commands: a ring of (time, text) entries; when it is full the
 * oldest entry makes room. Pure: no I/O.
 */
#ifndef L2VPN_MGMT_HISTORY_H
#define L2VPN_MGMT_HISTORY_H

#include <stddef.h>
#include <time.h>

struct mgmt_entry {
	time_t when;
	char *text;
};

struct mgmt_history {
	struct mgmt_entry *ring;
	size_t cap;  /* entries kept at most */
	size_t n;    /* entries held */
	size_t next; /* where the next entry goes */
};

/* A history of at most CAP entries. 0, -EINVAL (CAP 0) or -ENOMEM. */
int mgmt_history_init(struct mgmt_history *h, size_t cap);
void mgmt_history_free(struct mgmt_history *h);

/* Keep a copy of TEXT, stamped WHEN, dropping the oldest entry when full. 0 or -ENOMEM (the
 * history is left as it was). */
int mgmt_history_add(struct mgmt_history *h, time_t when, const char *text);

/* Entry I counted from the oldest (0) to the newest (n - 1); NULL when I >= n. */
const struct mgmt_entry *mgmt_history_get(const struct mgmt_history *h, size_t i);

#endif
