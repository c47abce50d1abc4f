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
	unsigned long long lost; /* lines that could not be written (a full disk) */
	int lost_errno;
	bool cut; /* a line was written only in part: the next one starts on a new line */
	log_sink_fn *sink;
	void *sink_arg;
	bool in_sink; /* the sink is running: what it logs does not go back to it */
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

int log_get_verb(void)
{
	return log_state.verb;
}

unsigned log_get_mute(void)
{
	return log_state.mute;
}

void log_set_sink(log_sink_fn *fn, void *arg)
{
	log_state.sink = fn;
	log_state.sink_arg = arg;
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

/* All of BUF in as few write(2)s as the file takes. false (errno kept in log_state) when the
 * file refuses the rest: a full disk is not retried here, the line is counted as lost. */
static bool write_all_or_note(int fd, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_state.lost_errno = n < 0 ? errno : EIO;
			log_state.cut = log_state.cut || done > 0;
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

/* One line to the log file or stderr, in one write(2) (whole lines, never mixed with another
 * writer's). A line the file refuses (ENOSPC, EIO) is dropped and counted, never retried or
 * buffered: logging cannot block or spin the daemon. The first line that gets through again
 * is preceded by a note saying how many were lost. */
static void emit_fd(int fd, const char *line)
{
	char stamp[40] = "", buf[2200];
	int n;

	if (log_state.timestamps) {
		time_t now = time(NULL); /* wall clock: only the text of the stamp */
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
	}
	if (log_state.lost) {
		n = snprintf(buf, sizeof(buf), "%s%s%llu log lines lost: %s\n",
		             log_state.cut ? "\n" : "", stamp, log_state.lost,
		             strerror(log_state.lost_errno));
		if (!write_all_or_note(fd, buf, (size_t)n)) {
			log_state.lost++;
			return;
		}
		log_state.lost = 0;
		log_state.cut = false;
	}
	n = snprintf(buf, sizeof(buf), "%s%s\n", stamp, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (!write_all_or_note(fd, buf, (size_t)n))
		log_state.lost++;
}

static void emit(int level, const char *line)
{
	if (log_state.syslog) {
		syslog(syslog_priority(level), "%s", line);
		return;
	}
	emit_fd(log_state.file ? fileno(log_state.file) : STDERR_FILENO, line);
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
	if (log_state.sink && !log_state.in_sink) {
		time_t now = time(NULL); /* wall clock: only the text of the stamp */

		log_state.in_sink = true;
		log_state.sink(log_state.sink_arg, level, now, line);
		log_state.in_sink = false;
	}
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
