// SPDX-License-Identifier: GPL-2.0-or-later
/* ccd: a site's switch policy from client-config-dir (see ccd.h). */
#include "ccd.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

bool ccd_file_name(const char *cn, char *buf, size_t len)
{
	size_t i;

	for (i = 0; cn[i] && i + 1 < len; i++) {
		unsigned char ch = (unsigned char)cn[i];

		buf[i] = isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '@' ? (char)ch
		                                                                         : '_';
	}
	buf[i] = '\0';
	return i > 0 && !cn[i] && strcmp(buf, ".") && strcmp(buf, "..");
}

int ccd_policy(const struct config *cfg, const char *cn, const char *label, struct site_policy *out)
{
	struct config_error err = { { 0 } };
	char name[256], *path = NULL, *warnings = NULL;
	int ret;

	*out = cfg->policy;
	out->disable = false;
	if (!cfg->client_config_dir)
		return 0;
	if (!ccd_file_name(cn, name, sizeof(name))) {
		log_warnx("%s: refused: its CN names no client-config-dir file", label);
		return -EACCES;
	}
	if (asprintf(&path, "%s/%s", cfg->client_config_dir, name) < 0)
		return -ENOMEM;
	ret = config_parse_site_file(path, &cfg->policy, out, &warnings, &err);
	if (warnings) {
		for (char *line = strtok(warnings, "\n"); line; line = strtok(NULL, "\n"))
			log_warnx("%s", line);
		free(warnings);
	}
	if (ret == -ENOENT && !cfg->ccd_exclusive) {
		ret = 0;
	} else if (ret == -ENOENT) {
		log_warnx("%s: refused: ccd-exclusive and no file %s", label, path);
		ret = -EACCES;
	} else if (ret < 0) {
		log_errorx("%s: refused: %s", label, err.msg);
		ret = -EINVAL;
	} else if (out->disable) {
		log_notice("%s: refused: disabled in %s", label, path);
		ret = -EACCES;
	} else {
		log_info("%s: switch policy from %s", label, path);
	}
	free(path);
	return ret;
}
