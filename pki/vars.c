/* vars: parse an easy-rsa vars file without executing it; environment overrides. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "msg.h"
#include "vars.h"

struct strbuf {
	char *s;
	size_t len, cap;
};

static int sb_putc(struct strbuf *b, char c)
{
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

static int sb_puts(struct strbuf *b, const char *s)
{
	int ret = 0;

	while (*s && ret == 0)
		ret = sb_putc(b, *s++);
	return ret;
}

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Expand $NAME or ${NAME} at *p (pointing at '$'); advances *p. */
static int expand_var(const char **p, struct strbuf *out, vars_lookup_fn lookup, void *opaque)
{
	const char *s = *p + 1, *start;
	char name[128];
	size_t n;
	bool braced = *s == '{';
	const char *val;

	if (braced)
		s++;
	start = s;
	while (is_name_char(*s))
		s++;
	n = (size_t)(s - start);
	if (n == 0 || !is_name_start(*start) || n >= sizeof(name) || (braced && *s != '}')) {
		*p += 1;
		return sb_putc(out, '$');
	}
	memcpy(name, start, n);
	name[n] = '\0';
	*p = braced ? s + 1 : s;
	val = lookup ? lookup(opaque, name) : NULL;
	return val ? sb_puts(out, val) : 0;
}

/* `...`: only `pwd` (easy-rsa's EASY_RSA=`pwd`) is understood. */
static int expand_backtick(const char **p, struct strbuf *out, const char *cwd)
{
	const char *end = strchr(*p + 1, '`');

	if (!end || (size_t)(end - *p - 1) != 3 || strncmp(*p + 1, "pwd", 3) != 0)
		return -EINVAL;
	*p = end + 1;
	return sb_puts(out, cwd ? cwd : ".");
}

int vars_parse_line(const char *line, vars_lookup_fn lookup, void *opaque, const char *cwd,
                    char **key, char **value)
{
	const char *p = line, *k;
	struct strbuf out = { 0 };
	int ret = 0;
	size_t klen;

	*key = *value = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (!is_name_start(*p))
		return 0;
	k = p;
	while (is_name_char(*p))
		p++;
	if (*p != '=')
		return 0;
	klen = (size_t)(p - k);
	*key = strndup(k, klen);
	if (!*key)
		return -ENOMEM;
	p++;
	/* Strategy: one shell word, made of unquoted, "double" and 'single' quoted parts. */
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';' &&
	       *p != '#' && ret == 0) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end) {
				ret = -EINVAL;
				break;
			}
			for (p++; p < end && ret == 0; p++)
				ret = sb_putc(&out, *p);
			p = end + 1;
		} else if (*p == '"') {
			for (p++; *p && *p != '"' && ret == 0;) {
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) {
					ret = sb_putc(&out, p[1]);
					p += 2;
				} else if (*p == '$') {
					ret = expand_var(&p, &out, lookup, opaque);
				} else if (*p == '`') {
					ret = expand_backtick(&p, &out, cwd);
				} else {
					ret = sb_putc(&out, *p++);
				}
			}
			if (ret == 0 && *p != '"')
				ret = -EINVAL;
			else if (ret == 0)
				p++;
		} else if (*p == '\\' && p[1]) {
			ret = sb_putc(&out, p[1]);
			p += 2;
		} else if (*p == '$') {
			ret = expand_var(&p, &out, lookup, opaque);
		} else if (*p == '`') {
			ret = expand_backtick(&p, &out, cwd);
		} else {
			ret = sb_putc(&out, *p++);
		}
	}
	if (ret < 0) {
		free(out.s);
		if (ret == -ENOMEM) {
			free(*key);
			*key = NULL;
		}
		return ret;
	}
	*value = out.s ? out.s : strdup("");
	if (!*value) {
		free(*key);
		*key = NULL;
		return -ENOMEM;
	}
	return 1;
}

struct kv_list {
	char **keys, **values;
	size_t n;
};

static const char *kv_get(const struct kv_list *l, const char *name)
{
	size_t i;

	for (i = l->n; i > 0; i--)
		if (strcmp(l->keys[i - 1], name) == 0)
			return l->values[i - 1];
	return NULL;
}

static const char *lookup_file_then_env(void *opaque, const char *name)
{
	const char *v = kv_get(opaque, name);

	return v ? v : getenv(name);
}

static int kv_push(struct kv_list *l, char *key, char *value)
{
	char **k = realloc(l->keys, (l->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	l->keys = k;
	char **v = realloc(l->values, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->values = v;
	l->keys[l->n] = key;
	l->values[l->n] = value;
	l->n++;
	return 0;
}

static void kv_free(struct kv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
}

static const char *const used_keys[] = {
	"KEY_DIR",   "KEY_SIZE",    "KEY_ALGO",     "CA_EXPIRE", "KEY_EXPIRE",
	"CRL_DAYS",  "KEY_COUNTRY", "KEY_PROVINCE", "KEY_CITY",  "KEY_ORG",
	"KEY_EMAIL", "KEY_OU",      "KEY_NAME",     "KEY_CN",
};

static bool is_used_key(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(used_keys) / sizeof(used_keys[0]); i++)
		if (strcmp(used_keys[i], k) == 0)
			return true;
	return false;
}

static int parse_file(struct kv_list *l, const char *path, const char *text)
{
	char cwd[PATH_MAX];
	const char *line = text;
	unsigned lineno = 0;
	int ret = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	while (*line && ret >= 0) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = strndup(line, len), *key, *value;

		lineno++;
		if (!copy)
			return -ENOMEM;
		ret = vars_parse_line(copy, lookup_file_then_env, l, cwd, &key, &value);
		free(copy);
		if (ret == -EINVAL) {
			/* Unsupported substitution: harmless for variables we do not use
			 * (easy-rsa 2.0's KEY_CONFIG=`whichopensslcnf`), an error otherwise. */
			if (key && is_used_key(key)) {
				pki_err("%s:%u: %s: unsupported shell syntax (vars are parsed, "
				        "not executed)",
				        path, lineno, key);
				free(key);
				return ret;
			}
			free(key);
			ret = 0;
		} else if (ret == 1) {
			ret = kv_push(l, key, value);
			if (ret < 0) {
				free(key);
				free(value);
			}
		}
		line = nl ? nl + 1 : line + len;
	}
	return ret < 0 ? ret : 0;
}

static int get_str(const struct kv_list *l, const char *name, const char *def, char **out)
{
	const char *v = getenv(name);

	if (!v)
		v = kv_get(l, name);
	if (!v)
		v = def;
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

static int get_int(const struct kv_list *l, const char *name, int def, int min, int max, int *out)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v)
		v = kv_get(l, name);
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		pki_err("%s=%s: not a number in %d..%d", name, v, min, max);
		return -EINVAL;
	}
	*out = (int)n;
	return 0;
}

int vars_load(struct pki_vars *vars, const char *path)
{
	struct kv_list l = { 0 };
	char *text = NULL, *algo = NULL;
	const char *file = path ? path : "vars";
	int ret;

	memset(vars, 0, sizeof(*vars));
	ret = fs_read_file(file, path == NULL, &text, NULL);
	if (ret == -ENOENT && !path)
		ret = 0;
	else if (ret == 0)
		ret = parse_file(&l, file, text);
	if (ret < 0)
		goto out;
	if ((ret = get_str(&l, "KEY_DIR", "./keys", &vars->key_dir)) < 0 ||
	    (ret = get_str(&l, "KEY_COUNTRY", "", &vars->country)) < 0 ||
	    (ret = get_str(&l, "KEY_PROVINCE", "", &vars->province)) < 0 ||
	    (ret = get_str(&l, "KEY_CITY", "", &vars->city)) < 0 ||
	    (ret = get_str(&l, "KEY_ORG", "", &vars->org)) < 0 ||
	    (ret = get_str(&l, "KEY_EMAIL", "", &vars->email)) < 0 ||
	    (ret = get_str(&l, "KEY_OU", "", &vars->ou)) < 0 ||
	    (ret = get_str(&l, "KEY_NAME", "", &vars->name)) < 0 ||
	    (ret = get_str(&l, "KEY_CN", "", &vars->cn)) < 0)
		goto out;
	if ((ret = get_int(&l, "KEY_SIZE", 2048, 2048, 16384, &vars->key_size)) < 0 ||
	    (ret = get_int(&l, "CA_EXPIRE", 3650, 0, 36500, &vars->ca_expire)) < 0 ||
	    (ret = get_int(&l, "KEY_EXPIRE", 825, 0, 36500, &vars->key_expire)) < 0 ||
	    (ret = get_int(&l, "CRL_DAYS", 180, 0, 36500, &vars->crl_days)) < 0)
		goto out;
	/* An easy-rsa 2.0 vars file sets KEY_SIZE and no KEY_ALGO: it meant RSA. */
	if (getenv("KEY_ALGO") || kv_get(&l, "KEY_ALGO")) {
		if ((ret = get_str(&l, "KEY_ALGO", "", &algo)) < 0)
			goto out;
		if (strcmp(algo, "ec") == 0 || strcmp(algo, "") == 0)
			vars->algo = KEY_ALGO_EC;
		else if (strcmp(algo, "rsa") == 0)
			vars->algo = KEY_ALGO_RSA;
		else if (strcmp(algo, "ed25519") == 0)
			vars->algo = KEY_ALGO_ED25519;
		else {
			pki_err("KEY_ALGO=%s: want ec, rsa or ed25519", algo);
			ret = -EINVAL;
			goto out;
		}
	} else {
		vars->algo =
		    (getenv("KEY_SIZE") || kv_get(&l, "KEY_SIZE")) ? KEY_ALGO_RSA : KEY_ALGO_EC;
	}
	ret = 0;
out:
	free(algo);
	free(text);
	kv_free(&l);
	if (ret < 0)
		vars_free(vars);
	return ret;
}

void vars_free(struct pki_vars *vars)
{
	free(vars->key_dir);
	free(vars->country);
	free(vars->province);
	free(vars->city);
	free(vars->org);
	free(vars->email);
	free(vars->ou);
	free(vars->name);
	free(vars->cn);
	memset(vars, 0, sizeof(*vars));
}

const char *vars_algo_name(enum key_algo algo)
{
	switch (algo) {
	case KEY_ALGO_RSA:
		return "rsa";
	case KEY_ALGO_ED25519:
		return "ed25519";
	case KEY_ALGO_EC:
	default:
		return "ec";
	}
}
