// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Corpus replay driver: feeds every file of the directories named on the command line to the
 * target's LLVMFuzzerTestOneInput() and reports one TAP line per file. Linked instead of
 * libFuzzer in normal builds, so the saved corpus runs with every test (and under ASan/UBSan).
 * A crash or sanitizer report fails the test; an empty corpus is a failure too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int ret = -1;

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0)
		goto out;
	*size = (size_t)st.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data)
		goto out;
	if (fread(*data, 1, *size, f) != *size) {
		free(*data);
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int n = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		DIR *dir = opendir(argv[i]);
		struct dirent *de;
		char **names = NULL;
		size_t count = 0;

		if (!dir) {
			printf("not ok %d - open corpus %s: %s\n", ++n, argv[i], strerror(errno));
			failed++;
			continue;
		}
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			names = realloc(names, (count + 1) * sizeof(*names));
			names[count++] = strdup(de->d_name);
		}
		closedir(dir);
		qsort(names, count, sizeof(*names), compare_names);
		for (size_t j = 0; j < count; j++) {
			char path[4096];
			uint8_t *data;
			size_t size;

			snprintf(path, sizeof(path), "%s/%s", argv[i], names[j]);
			if (read_file(path, &data, &size) < 0) {
				printf("not ok %d - read %s\n", ++n, path);
				failed++;
			} else {
				LLVMFuzzerTestOneInput(data, size);
				free(data);
				printf("ok %d - %s\n", ++n, names[j]);
			}
			free(names[j]);
		}
		free(names);
		if (count == 0) {
			printf("not ok %d - corpus %s is empty\n", ++n, argv[i]);
			failed++;
		}
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
