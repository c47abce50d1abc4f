// SPDX-License-Identifier: GPL-2.0-or-later
/* notify: systemd's service notifications through libsystemd (see notify.h). */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "notify.h"

void notify_init(struct notify *n)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		n->watchdog_ms = usec / 2000;
}

void notify_ready(struct notify *n, const char *status)
{
	if (status)
		snprintf(n->status, sizeof(n->status), "%s", status);
	sd_notifyf(0, "READY=1\nSTATUS=%s", n->status);
}

void notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_status(struct notify *n, const char *text)
{
	if (!strcmp(n->status, text))
		return;
	snprintf(n->status, sizeof(n->status), "%s", text);
	sd_notifyf(0, "STATUS=%s", n->status);
}

int notify_watchdog(struct notify *n, uint64_t now_ms)
{
	if (!n->watchdog_ms)
		return -1;
	if (now_ms >= n->next_watchdog_ms) {
		sd_notify(0, "WATCHDOG=1");
		n->next_watchdog_ms = now_ms + n->watchdog_ms;
	}
	return (int)(n->next_watchdog_ms - now_ms);
}
