// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl_table: a status text as aligned tables (see ctl_table.h). */
#include "ctl_table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS_MAX 16
#define ROWS_MAX 100000 /* rows shown of one table (a MAC table holds at most 65536) */

struct table {
	int ncols;
	const char *head[COLS_MAX];
	char *(*rows)[COLS_MAX]; /* cells point into the caller's copy of the text */
	size_t n, cap;
};

/* Split LINE in place at SEP into at most COLS_MAX fields; returns how many. */
static int split(char *line, char sep, char **f)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < COLS_MAX; p++)
		if (*p == sep) {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/* Index of column NAME in the header fields H (N of them, the first two being "HEADER" and the
 * table's name), counted from the table's first data column; -1 when missing. */
static int column(char **h, int n, const char *name)
{
	for (int i = 2; i < n; i++)
		if (strcmp(h[i], name) == 0)
			return i - 1;
	return -1;
}

static int add_row(struct table *t, char **cells)
{
	if (t->n == ROWS_MAX)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char *(*grown)[COLS_MAX] = realloc(t->rows, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->rows = grown;
		t->cap = cap;
	}
	memcpy(t->rows[t->n++], cells, (size_t)t->ncols * sizeof(cells[0]));
	return 0;
}

static void print_table(FILE *f, const struct table *t)
{
	size_t width[COLS_MAX] = { 0 };

	for (int c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->head[c]);
		for (size_t r = 0; r < t->n; r++)
			if (strlen(t->rows[r][c]) > width[c])
				width[c] = strlen(t->rows[r][c]);
	}
	for (size_t r = 0; r <= t->n; r++) {
		fputs("  ", f);
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = r == 0 ? t->head[c] : t->rows[r - 1][c];

			if (c == t->ncols - 1)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, "%-*s  ", (int)width[c], cell);
		}
	}
}

/* The columns of a CLIENT_LIST or ROUTING_TABLE row to show, by header name. */
static const char *const site_cols[] = { "Common Name", "Real Address",    "Bytes Received",
	                                 "Bytes Sent",  "Connected Since", "Client ID" };
static const char *const site_heads[] = { "SITE (CN)", "REAL ADDRESS",    "BYTES IN",
	                                  "BYTES OUT", "CONNECTED SINCE", "ID" };
static const char *const route_cols[] = { "Virtual Address", "Common Name", "Real Address",
	                                  "Last Ref" };
static const char *const route_heads[] = { "MAC", "SITE (CN)", "REAL ADDRESS", "LAST SEEN" };

struct section {
	const char *name; /* CLIENT_LIST, ROUTING_TABLE */
	const char *const *cols, *const *heads;
	int ncols;
	int idx[COLS_MAX]; /* field index of each shown column; -1: missing */
	struct table t;
};

static void section_header(struct section *s, char **h, int n)
{
	for (int i = 0; i < s->ncols; i++)
		s->idx[i] = column(h, n, s->cols[i]);
}

static int section_row(struct section *s, char **f, int n)
{
	char *cells[COLS_MAX];
	static char empty[] = "";

	for (int i = 0; i < s->ncols; i++)
		cells[i] = s->idx[i] > 0 && s->idx[i] < n ? f[s->idx[i]] : empty;
	return add_row(&s->t, cells);
}

static int server_tables(char *copy, FILE *f)
{
	struct section sites = { "CLIENT_LIST", site_cols, site_heads, 6, { 0 }, { 0 } };
	struct section routes = { "ROUTING_TABLE", route_cols, route_heads, 4, { 0 }, { 0 } };
	struct section *secs[] = { &sites, &routes };
	struct table globals = { .ncols = 2 };
	char *save = NULL;
	const char *title = "", *when = "";
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		secs[i]->t.ncols = secs[i]->ncols;
		for (int c = 0; c < secs[i]->ncols; c++)
			secs[i]->t.head[c] = secs[i]->heads[c];
	}
	for (char *line = strtok_r(copy, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *fl[COLS_MAX];
		int n = split(line, ',', fl);

		if (strcmp(fl[0], "TITLE") == 0 && n > 1)
			title = fl[1];
		else if (strcmp(fl[0], "TIME") == 0 && n > 1)
			when = fl[1];
		else if (strcmp(fl[0], "GLOBAL_STATS") == 0 && n > 2 &&
		         strcmp(fl[1], "dco_enabled") != 0)
			ret = add_row(&globals, fl + 1);
		for (int i = 0; i < 2; i++) {
			if (strcmp(fl[0], "HEADER") == 0 && n > 1 && !strcmp(fl[1], secs[i]->name))
				section_header(secs[i], fl, n);
			else if (strcmp(fl[0], secs[i]->name) == 0)
				ret = section_row(secs[i], fl, n);
		}
	}
	if (ret == 0) {
		fprintf(f, "%s, updated %s\n", title, when);
		fprintf(f, "Sites connected: %zu\n", sites.t.n);
		if (sites.t.n)
			print_table(f, &sites.t);
		fprintf(f, "MAC addresses learned behind them: %zu\n", routes.t.n);
		if (routes.t.n)
			print_table(f, &routes.t);
		for (size_t i = 0; i < globals.n; i++)
			fprintf(f, "%s: %s\n", globals.rows[i][0], globals.rows[i][1]);
	}
	free(sites.t.rows);
	free(routes.t.rows);
	free(globals.rows);
	return ret;
}

static int client_table(char *copy, FILE *f)
{
	struct table t = { .ncols = 2, .head = { "COUNTER", "VALUE" } };
	char *save = NULL;
	const char *when = "";
	int ret = 0;

	for (char *line = strtok_r(copy, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *fl[COLS_MAX];
		int n = split(line, ',', fl);

		if (n < 2)
			continue;
		if (strcmp(fl[0], "Updated") == 0)
			when = fl[1];
		else
			ret = add_row(&t, fl);
	}
	if (ret == 0) {
		fprintf(f, "client statistics, updated %s\n", when);
		print_table(f, &t);
	}
	free(t.rows);
	return ret;
}

int ctl_status_table(const char *text, char **out)
{
	bool server = strncmp(text, "TITLE,", 6) == 0;
	char *copy, *buf = NULL;
	size_t size = 0;
	FILE *f;
	int ret;

	if (!server && strncmp(text, "OpenVPN STATISTICS\n", 19) != 0)
		return -EINVAL;
	copy = strdup(text);
	f = copy ? open_memstream(&buf, &size) : NULL;
	if (!f) {
		free(copy);
		return -ENOMEM;
	}
	ret = server ? server_tables(copy, f) : client_table(copy, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	free(copy);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}
