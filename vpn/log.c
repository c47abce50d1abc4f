// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ownfile.h"

static struct {
	int verb;
	FILE *file; /* NULL: stderr */
	bool syslog;
	bool timestamps;
	char ident[32];
	unsigned mute;
	const char *last_fmt; /* kind of the previous message, for mute */
	unsigned repeats, muted;
} log_state = { .verb = 3, .timestamps = true };

static int syslog_priority(int level)
{
	switch (level) {
	case LOG_LVL_FATAL:
		return LOG_CRIT;
	case LOG_LVL_ERROR:
		return LOG_ERR;
	case LOG_LVL_WARN:
		return LOG_WARNING;
	case LOG_LVL_REPORT:
	case LOG_LVL_NOTICE:
		return LOG_NOTICE;
	case LOG_LVL_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

void log_close(void)
{
	if (log_state.file)
		fclose(log_state.file);
	log_state.file = NULL;
	if (log_state.syslog)
		closelog();
	log_state.syslog = false;
	log_state.timestamps = true;
}

int log_open(const struct log_target *target, const char **why)
{
	FILE *f = NULL;

	if (target->file) {
		/* Not followed through a symlink; emptied (`log`) only once known to be ours. */
		int fd =
		    ownfile_open(target->file, target->append ? OWNFILE_APPEND : OWNFILE_TRUNCATE,
		                 0600, (uid_t)-1, why);
		if (fd < 0)
			return fd;
		f = fdopen(fd, target->append ? "a" : "w");
		if (!f) {
			int err = -errno;
			if (why)
				*why = strerror(errno);
			close(fd);
			return err;
		}
		setvbuf(f, NULL, _IOLBF, 0);
	}
	log_close();
	log_state.verb = target->verb;
	log_state.timestamps = target->timestamps;
	log_set_mute(target->mute);
	if (f) {
		log_state.file = f;
	} else if (target->syslog) {
		snprintf(log_state.ident, sizeof(log_state.ident), "%s",
		         target->ident ? target->ident : "l2vpn");
		openlog(log_state.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_state.syslog = true;
	}
	return 0;
}

void log_set_verb(int verb)
{
	log_state.verb = verb;
}

void log_set_mute(unsigned mute)
{
	log_state.mute = mute;
	log_state.last_fmt = NULL;
	log_state.repeats = log_state.muted = 0;
}

bool log_enabled(int level)
{
	return level <= log_state.verb || level <= LOG_LVL_FATAL;
}

static void emit(int level, const char *line)
{
	if (log_state.syslog) {
		syslog(syslog_priority(level), "%s", line);
		return;
	}
	FILE *out = log_state.file ? log_state.file : stderr;
	if (log_state.timestamps) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s %s\n", stamp, line);
	} else {
		fprintf(out, "%s\n", line);
	}
	fflush(out);
}

/* true when this message is muted (the mute directive). */
static bool muted(int level, const char *fmt)
{
	char note[64];

	if (!log_state.mute || level <= LOG_LVL_FATAL)
		return false;
	if (fmt == log_state.last_fmt) {
		if (++log_state.repeats <= log_state.mute)
			return false;
		log_state.muted++;
		return true;
	}
	if (log_state.muted) {
		snprintf(note, sizeof(note), "%u similar messages suppressed", log_state.muted);
		emit(LOG_LVL_NOTICE, note);
	}
	log_state.last_fmt = fmt;
	log_state.repeats = 1;
	log_state.muted = 0;
	return false;
}

void log_vmsg(int level, int err, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (!log_enabled(level) || muted(level, fmt))
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		         strerror(err < 0 ? -err : err));
	emit(level, line);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, 0, fmt, ap);
	va_end(ap);
}

void log_msg_err(int level, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, err, fmt, ap);
	va_end(ap);
}

void exit_bug(const char *what)
{
	log_msg(LOG_LVL_FATAL, "BUG: %s", what);
	abort();
}
