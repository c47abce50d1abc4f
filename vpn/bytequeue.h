/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded byte queue: bytes are appended at the tail and consumed from the head, with a fixed
 * capacity chosen at init (grown only on request, never by appending). Used for a peer's outgoing
 * stream (bounded in bytes, so a slow peer costs drops, not memory) and for its incoming stream
 * (parsed in place).
 */
#ifndef L2VPN_BYTEQUEUE_H
#define L2VPN_BYTEQUEUE_H

#include <stddef.h>
#include <stdint.h>

struct bytequeue {
	uint8_t *data;
	size_t cap, head, tail;
};

/* Allocate CAP bytes. 0 or -ENOMEM. */
int bq_init(struct bytequeue *q, size_t cap);
void bq_free(struct bytequeue *q);

/* Make the capacity CAP (never shrinks), keeping the queued bytes. 0, or -ENOMEM with the queue
 * as it was. A connection starts small and grows once it is authenticated. */
int bq_grow(struct bytequeue *q, size_t cap);

static inline size_t bq_len(const struct bytequeue *q)
{
	return q->tail - q->head;
}

static inline size_t bq_space(const struct bytequeue *q)
{
	return q->cap - bq_len(q);
}

/* N contiguous writable bytes at the tail, or NULL when they do not fit. Queued bytes are moved
 * to the front to make room only when they are no more than the room that frees (amortised
 * O(1) per byte), so a queue holds between half its capacity and all of it before it refuses.
 * Call bq_commit() with what was written. */
uint8_t *bq_reserve(struct bytequeue *q, size_t n);

/* Like bq_reserve(N), but only when KEEP more bytes stay free after the N: bulk data leaves
 * headroom for small messages that must not be refused (see bq_reserve_now()). */
uint8_t *bq_reserve_keep(struct bytequeue *q, size_t n, size_t keep);

/* N contiguous writable bytes whenever N bytes are free, moving the queued bytes to the front
 * if need be: one copy of the queue, so for rare messages only. NULL when N bytes are not
 * free. */
uint8_t *bq_reserve_now(struct bytequeue *q, size_t n);

/* Whatever contiguous room the tail has (after compaction), at least 1 byte unless full. */
uint8_t *bq_tail_room(struct bytequeue *q, size_t *room);

void bq_commit(struct bytequeue *q, size_t n);

/* The queued bytes (contiguous). */
static inline const uint8_t *bq_peek(const struct bytequeue *q, size_t *len)
{
	*len = bq_len(q);
	return q->data + q->head;
}

void bq_consume(struct bytequeue *q, size_t n);

#endif
