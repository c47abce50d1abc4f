/* prompt: interactive subject questions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "prompt.h"

/* Ask LABEL [*value]; replace *value with the answer when one is given. */
static int ask(const char *label, char **value)
{
	char line[256];
	size_t n;
	char *copy;

	fprintf(stderr, "%s [%s]: ", label, *value ? *value : "");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		pki_err("%s: no answer (end of input)", label);
		return -EIO;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0)
		return 0;
	if (strcmp(line, ".") == 0)
		line[0] = '\0'; /* like OpenSSL: "." leaves the field empty */
	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	free(*value);
	*value = copy;
	return 0;
}

int prompt_subject(bool interactive, struct pki_vars *v, const char *cn_default, char **cn)
{
	int ret;

	*cn = strdup(cn_default);
	if (!*cn)
		return -ENOMEM;
	if (!interactive)
		return 0;
	if ((ret = ask("Country Name (2 letter code)", &v->country)) < 0 ||
	    (ret = ask("State or Province Name (full name)", &v->province)) < 0 ||
	    (ret = ask("Locality Name (eg, city)", &v->city)) < 0 ||
	    (ret = ask("Organization Name (eg, company)", &v->org)) < 0 ||
	    (ret = ask("Organizational Unit Name (eg, section)", &v->ou)) < 0 ||
	    (ret = ask("Common Name (eg, your name or your server's hostname)", cn)) < 0 ||
	    (ret = ask("Name", &v->name)) < 0 || (ret = ask("Email Address", &v->email)) < 0) {
		free(*cn);
		*cn = NULL;
		return ret;
	}
	return 0;
}

bool prompt_yes(bool interactive, const char *question)
{
	char line[16];

	if (!interactive)
		return true;
	fprintf(stderr, "%s [y/n]: ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}
