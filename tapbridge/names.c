// SPDX-License-Identifier: GPL-2.0-or-later
/* Interface names and the stable MAC address of taps we create. */
#include "tapbridge.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int name_error(struct tb_err *err, int code, const char *name, const char *why)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), "invalid interface name '%.64s': %s", name,
		         why);
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

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void tb_tap_mac_for(const char *name, uint64_t host_id, uint8_t mac[6])
{
	/* FNV-1a over host id and name spreads them over the five low octets; the first octet is
	 * fixed at 0xfe: locally administered, unicast, and above any vendor MAC. */
	uint64_t h = fnv1a(0xcbf29ce484222325ULL, &host_id, sizeof(host_id));

	h = fnv1a(h, name, strlen(name));
	mac[0] = 0xfe;
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

uint64_t tb_host_id(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char id[64] = "";
	struct stat st;
	FILE *f = fopen("/etc/machine-id", "re");

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = 0;
		fclose(f);
	}
	h = fnv1a(h, id, strlen(id));
	if (stat("/proc/self/ns/net", &st) == 0)
		h = fnv1a(h, &st.st_ino, sizeof(st.st_ino));
	return h;
}

void tb_tap_mac_for_name(const char *name, uint8_t mac[6])
{
	tb_tap_mac_for(name, tb_host_id(), mac);
}
