// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics_file: the metrics text written atomically (see metrics_file.h). */
#include "metrics_file.h"

#include <string.h>

#include "log.h"
#include "ownfile.h"

#define ERROR_LOG_MS 60000

void metrics_file_init(struct metrics_file *mf)
{
	memset(mf, 0, sizeof(*mf));
	ratelimit_init(&mf->log, 1, ERROR_LOG_MS);
}

int metrics_file_write(struct metrics_file *mf, const char *path, const char *text, uint64_t now_ms)
{
	uint64_t suppressed = 0;
	/* 0644: node_exporter runs as another user; the numbers are no secret. */
	int ret = ownfile_replace(path, text, strlen(text), 0644);

	if (ret >= 0) {
		if (mf->failures)
			log_notice("metrics-file %s written again after %llu failed attempts", path,
			           (unsigned long long)mf->failures);
		mf->failures = 0;
		return 0;
	}
	mf->failures++;
	if (!ratelimit_pass(&mf->log, now_ms, &suppressed))
		return ret;
	if (suppressed)
		log_warn(ret,
		         "cannot write metrics-file %s (%llu more failures not logged; at most one "
		         "line a minute)",
		         path, (unsigned long long)suppressed);
	else
		log_warn(ret, "cannot write metrics-file %s", path);
	return ret;
}
