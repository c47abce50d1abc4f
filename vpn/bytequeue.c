// SPDX-License-Identifier: GPL-2.0-or-later
#include "bytequeue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int bq_init(struct bytequeue *q, size_t cap)
{
	q->data = malloc(cap);
	q->cap = cap;
	q->head = q->tail = 0;
	return q->data ? 0 : -ENOMEM;
}

void bq_free(struct bytequeue *q)
{
	free(q->data);
	q->data = NULL;
	q->cap = q->head = q->tail = 0;
}

int bq_grow(struct bytequeue *q, size_t cap)
{
	size_t len = bq_len(q);
	uint8_t *data;

	if (cap <= q->cap)
		return 0;
	data = malloc(cap);
	if (!data)
		return -ENOMEM;
	if (len)
		memcpy(data, q->data + q->head, len);
	free(q->data);
	q->data = data;
	q->cap = cap;
	q->head = 0;
	q->tail = len;
	return 0;
}

static void compact(struct bytequeue *q)
{
	size_t len = bq_len(q);

	if (q->head == 0)
		return;
	memmove(q->data, q->data + q->head, len);
	q->head = 0;
	q->tail = len;
}

uint8_t *bq_reserve(struct bytequeue *q, size_t n)
{
	if (q->cap - q->tail >= n)
		return q->data + q->tail;
	/* Move the queued bytes to the front only when that moves no more than it frees, so
	 * each byte is moved O(1) times on average; otherwise the queue counts as full. */
	if (bq_space(q) < n || bq_len(q) > q->head)
		return NULL;
	compact(q);
	return q->data + q->tail;
}

uint8_t *bq_reserve_keep(struct bytequeue *q, size_t n, size_t keep)
{
	if (n > q->cap || keep > q->cap - n)
		return NULL;
	return bq_reserve(q, n + keep);
}

uint8_t *bq_reserve_now(struct bytequeue *q, size_t n)
{
	if (bq_space(q) < n)
		return NULL;
	if (q->cap - q->tail < n)
		compact(q);
	return q->data + q->tail;
}

uint8_t *bq_tail_room(struct bytequeue *q, size_t *room)
{
	if (q->tail == q->cap || (q->head > q->cap / 2))
		compact(q);
	*room = q->cap - q->tail;
	return q->data + q->tail;
}

void bq_commit(struct bytequeue *q, size_t n)
{
	if (n > q->cap - q->tail)
		exit_bug("bq_commit past the end");
	q->tail += n;
}

void bq_consume(struct bytequeue *q, size_t n)
{
	if (n > bq_len(q))
		exit_bug("bq_consume past the tail");
	q->head += n;
	if (q->head == q->tail)
		q->head = q->tail = 0;
}
