/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: the libFuzzer entry point and invariant checks that abort. */
#ifndef L2VPN_FUZZ_H
#define L2VPN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#endif
