/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: OpenVPN-like lines "YYYY-MM-DD hh:mm:ss message" to stderr, a file or syslog,
 * filtered by the `verb` level. Helpers come in pairs: with errno (log_warn) and without
 * (log_warnx). Safe to use before log_open() (goes to stderr at verb 3).
 */
#ifndef L2VPN_LOG_H
#define L2VPN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

/* Levels, compared against `verb`: a message is shown when its level <= verb. */
enum log_level {
	LOG_LVL_REPORT = -1, /* asked-for output (SIGUSR2 status): always shown, as notice */
	LOG_LVL_FATAL = 0,   /* always shown */
	LOG_LVL_ERROR = 1,
	LOG_LVL_WARN = 2,
	LOG_LVL_NOTICE = 3, /* default (verb 3): start/stop, connections */
	LOG_LVL_INFO = 4,
	LOG_LVL_DEBUG = 5,
	LOG_LVL_TRACE = 7,
};

struct log_target {
	int verb;          /* 0..11 like OpenVPN */
	const char *file;  /* log to this file (NULL: stderr) */
	bool append;       /* log-append instead of log */
	bool syslog;       /* to syslog (when no file) */
	const char *ident; /* syslog ident (default "l2vpn") */
	bool timestamps;   /* prefix lines with local time (default for stderr/file) */
	unsigned mute;     /* see log_set_mute() */
};

/* Switch logging to TARGET. Returns 0 or -errno: the log file could not be opened, or was
 * refused (a symlink, a hard link, not a regular file, another user's: see ownfile.h), and
 * logging stays where it was; then *WHY (when WHY is not NULL) says why in words. */
int log_open(const struct log_target *target, const char **why);

/* Back to stderr, closing any file or syslog connection. */
void log_close(void);

void log_set_verb(int verb);
int log_get_verb(void);

/* `mute N`: after N consecutive messages of one kind (same format), drop the rest until another
 * kind comes, which is preceded by a count of what was dropped. 0 turns muting off. */
void log_set_mute(unsigned mute);
unsigned log_get_mute(void);
bool log_enabled(int level);

/* A second destination for every line that passes `verb` and `mute` (the management
 * interface's real-time log and its cache): FN gets ARG, the line's level, the wall-clock time
 * and the text without a timestamp. FN must not block; lines logged while it runs reach the log
 * but not FN again. NULL FN removes the sink. */
typedef void log_sink_fn(void *arg, int level, time_t when, const char *line);
void log_set_sink(log_sink_fn *fn, void *arg);

/* Message at LEVEL without errno. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Message at LEVEL followed by ": strerror(err)" (ERR may be negative: -errno). */
void log_msg_err(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_vmsg(int level, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_warn(err, ...)  log_msg_err(LOG_LVL_WARN, (err), __VA_ARGS__)
#define log_warnx(...)      log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(err, ...) log_msg_err(LOG_LVL_ERROR, (err), __VA_ARGS__)
#define log_errorx(...)     log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_notice(...)     log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)       log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)      log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* A broken internal invariant: logs and aborts. Never reachable from network input. */
_Noreturn void exit_bug(const char *what);

#endif
