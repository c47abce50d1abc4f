// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Value helpers shared by the directive handlers: numbers with ranges, keywords, strings,
 * paths, interface names, the role and the TCP protocol names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_directives.h"
#include "tapbridge.h"

/* Decimal digits only (no sign, no blanks) in LO..HI. */
int cfg_parse_uint(struct cfg_ctx *c, const char *what, const char *s, unsigned lo, unsigned hi,
                   unsigned *out)
{
	const char *sep = what ? ": " : "";
	unsigned long v = 0;

	if (!what)
		what = "";
	if (*s == '\0')
		return cfg_fail(c, "%s%sempty, expected a number", what, sep);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return cfg_fail(c, "%s%s'%s' is not a number", what, sep, s);
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > UINT_MAX)
			break;
	}
	if (v < lo || v > hi)
		return cfg_fail(c, "%s%s%s is out of range (%u..%u)", what, sep, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

int cfg_parse_port(struct cfg_ctx *c, const char *what, const char *s, unsigned *out)
{
	return cfg_parse_uint(c, what, s, 1, 65535, out);
}

/* Index of S in the NULL-terminated WORDS, or a "must be one of" error. */
int cfg_keyword(struct cfg_ctx *c, const char *s, const char *const *words)
{
	char list[200] = "";

	for (int i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	for (int i = 0; words[i]; i++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", words[i]);
	}
	return cfg_fail(c, "'%s' is not one of: %s", s, list);
}

int cfg_store_string(struct cfg_ctx *c, char **dst, const char *s)
{
	if (cfg_set_string(dst, s) < 0)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	return 0;
}

int cfg_store_path(struct cfg_ctx *c, char **dst, const char *s)
{
	if (s[0] == '\0')
		return cfg_fail(c, "empty file name");
	return cfg_resolve_path(c, s, dst);
}

int cfg_check_ifname(struct cfg_ctx *c, const char *name)
{
	struct tb_err err = { { 0 } };

	if (tb_name_check(name, &err) < 0)
		return cfg_fail(c, "%s", err.msg);
	return 0;
}

static const char *role_name(enum config_role role)
{
	return role == ROLE_SERVER ? "server" : "client";
}

/* Record that the directive being applied makes this end a ROLE; a contrary earlier
 * directive is an error naming both. */
int cfg_set_role(struct cfg_ctx *c, enum config_role role)
{
	char where[CONFIG_ERR_MAX / 2], *origin;

	if (c->cfg->role != ROLE_UNSET && c->cfg->role != role)
		return cfg_fail(c, "makes this end a %s, but %s made it a %s", role_name(role),
		                c->cfg->role_origin, role_name(c->cfg->role));
	if (c->cfg->role == role)
		return 0;
	if (asprintf(&origin, "%s %s", cfg_where(c, where, sizeof(where)), c->directive) < 0)
		return cfg_fail_code(c, -ENOMEM, "out of memory");
	free(c->cfg->role_origin);
	c->cfg->role_origin = origin;
	c->cfg->role = role;
	return 0;
}

/* tcp, tcp4, tcp6, each optionally with -server or -client. */
int cfg_parse_proto(struct cfg_ctx *c, const char *s, int *family, enum config_role *role)
{
	const char *p = s;

	if (strncmp(s, "udp", 3) == 0)
		return cfg_fail(c,
		                "%s: l2vpn carries frames over TCP only (use proto tcp on "
		                "both ends)",
		                s);
	if (strncmp(p, "tcp", 3) != 0)
		goto bad;
	p += 3;
	*family = AF_UNSPEC;
	if (*p == '4' || *p == '6') {
		*family = *p == '4' ? AF_INET : AF_INET6;
		p++;
	}
	*role = ROLE_UNSET;
	if (strcmp(p, "-server") == 0)
		*role = ROLE_SERVER;
	else if (strcmp(p, "-client") == 0)
		*role = ROLE_CLIENT;
	else if (*p)
		goto bad;
	return 0;
bad:
	return cfg_fail(c,
	                "'%s' is not a protocol l2vpn knows (tcp, tcp4, tcp6, with "
	                "-server or -client)",
	                s);
}
