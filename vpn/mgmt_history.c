// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_history: a ring of the last lines of one kind (see mgmt_history.h). */
#include "mgmt_history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int mgmt_history_init(struct mgmt_history *h, size_t cap)
{
	memset(h, 0, sizeof(*h));
	if (cap == 0)
		return -EINVAL;
	h->ring = calloc(cap, sizeof(*h->ring));
	if (!h->ring)
		return -ENOMEM;
	h->cap = cap;
	return 0;
}

void mgmt_history_free(struct mgmt_history *h)
{
	for (size_t i = 0; h->ring && i < h->cap; i++)
		free(h->ring[i].text);
	free(h->ring);
	memset(h, 0, sizeof(*h));
}

int mgmt_history_add(struct mgmt_history *h, time_t when, const char *text)
{
	char *copy = strdup(text);
	struct mgmt_entry *e;

	if (!copy)
		return -ENOMEM;
	e = &h->ring[h->next];
	free(e->text);
	e->when = when;
	e->text = copy;
	h->next = (h->next + 1) % h->cap;
	if (h->n < h->cap)
		h->n++;
	return 0;
}

const struct mgmt_entry *mgmt_history_get(const struct mgmt_history *h, size_t i)
{
	if (i >= h->n)
		return NULL;
	/* The oldest entry sits at next when the ring is full, at 0 before. */
	return &h->ring[(h->next + h->cap - h->n + i) % h->cap];
}
