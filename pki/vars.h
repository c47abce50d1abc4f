/* vars: the easy-rsa `vars` settings. The file is parsed (KEY=value, export KEY="value",
 * comments, $VAR expansion, `pwd`), never executed; the environment overrides it. */
#ifndef L2VPN_PKI_VARS_H
#define L2VPN_PKI_VARS_H

#include <stdbool.h>

enum key_algo {
	KEY_ALGO_EC,
	KEY_ALGO_RSA,
	KEY_ALGO_ED25519,
};

struct pki_vars {
	char *key_dir;
	enum key_algo algo;
	int key_size;
	int ca_expire, key_expire, crl_days;
	/* Subject defaults; "" when unset. */
	char *country, *province, *city, *org, *email, *ou, *name, *cn;
};

/* Lookup used by the line parser for $NAME; returns NULL when unset. */
typedef const char *(*vars_lookup_fn)(void *opaque, const char *name);

/* Parse one vars-file line. Returns 1 with malloc'd *key and *value for an assignment,
 * 0 for anything else (blank, comment, other shell commands: ignored, never run), or
 * -EINVAL for an assignment using unsupported shell syntax (command substitution other than
 * `pwd`), with *key set so the caller can name it. CWD replaces `pwd`. Pure. */
int vars_parse_line(const char *line, vars_lookup_fn lookup, void *opaque, const char *cwd,
                    char **key, char **value);

/* Fill VARS from the vars file PATH (NULL: ./vars if present) and the environment, which
 * wins. Missing explicit PATH, bad numbers or KEY_ALGO: reported, -errno. */
int vars_load(struct pki_vars *vars, const char *path);

/* Free what vars_load allocated. */
void vars_free(struct pki_vars *vars);

/* Name of an algorithm for messages ("ec", "rsa", "ed25519"). */
const char *vars_algo_name(enum key_algo algo);

#endif
