/* prompt: easy-rsa 2.0 style questions on the terminal, "Field [default]:". */
#ifndef L2VPN_PKI_PROMPT_H
#define L2VPN_PKI_PROMPT_H

#include <stdbool.h>

#include "vars.h"

/* When INTERACTIVE, ask for every subject field with VARS' values (and CN_DEFAULT) as
 * defaults, updating VARS and *CN (malloc'd). Otherwise *CN = strdup(CN_DEFAULT).
 * 0 or -errno (reported). */
int prompt_subject(bool interactive, struct pki_vars *vars, const char *cn_default, char **cn);

/* When INTERACTIVE, ask QUESTION [y/n]; true on y/yes. Without a terminal: true. */
bool prompt_yes(bool interactive, const char *question);

#endif
