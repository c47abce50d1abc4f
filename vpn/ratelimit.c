// SPDX-License-Identifier: GPL-2.0-or-later
#include "ratelimit.h"

void ratelimit_init(struct ratelimit *rl, unsigned burst, uint64_t interval_ms)
{
	*rl = (struct ratelimit){
		.burst = burst ? burst : 1,
		.interval_ms = interval_ms ? interval_ms : 1,
	};
}

bool ratelimit_pass(struct ratelimit *rl, uint64_t now_ms, uint64_t *suppressed)
{
	if (!rl->started) {
		rl->started = true;
		rl->tokens = rl->burst;
		rl->refilled_ms = now_ms;
	} else if (now_ms > rl->refilled_ms) {
		/* Whole intervals elapsed since the last refill each add one token (up to the
		 * burst); the remainder carries over, so the long-run rate is exact. */
		uint64_t earned = (now_ms - rl->refilled_ms) / rl->interval_ms;

		if (earned >= rl->burst - rl->tokens) {
			rl->tokens = rl->burst;
			rl->refilled_ms = now_ms;
		} else {
			rl->tokens += (unsigned)earned;
			rl->refilled_ms += earned * rl->interval_ms;
		}
	}
	if (!rl->tokens) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
