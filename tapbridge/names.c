// SPDX-License-Identifier: GPL-2.0-or-later
/* Interface names and the stable MAC address of taps we create. Pure functions. */
#include "tapbridge.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int name_error(struct tb_err *err, int code, const char *name, const char *why)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), "invalid interface name '%.64s': %s", name, why);
	return code;
}

int tb_name_check(const char *name, struct tb_err *err)
{
	size_t len;

	if (!name || !*name)
		return name_error(err, -EINVAL, "", "empty");
	len = strlen(name);
	if (len > TB_NAME_MAX)
		return name_error(err, -ENAMETOOLONG, name, "longer than 15 bytes");
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return name_error(err, -EINVAL, name, "reserved name");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '/' || c == ':' || isspace(c) || !isprint(c))
			return name_error(err, -EINVAL, name,
					  "contains '/', ':', whitespace or a control character");
	}
	return 0;
}

void tb_tap_mac_for_name(const char *name, uint8_t mac[6])
{
	/* FNV-1a over the name spreads it over the five low octets; the first octet is fixed
	 * at 0xfe: locally administered, unicast, and above any vendor MAC. */
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	mac[0] = 0xfe;
	for (int i = 1; i < 6; i++) {
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
	}
}
