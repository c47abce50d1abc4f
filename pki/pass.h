/* pass: where passphrases come from. A source spec is env:VAR, file:PATH (first line),
 * fd:N, stdin, or pass:TEXT (discouraged: visible in ps). Without a spec, the terminal is
 * asked (no echo) when interactive. */
#ifndef L2VPN_PKI_PASS_H
#define L2VPN_PKI_PASS_H

#include <stdbool.h>
#include <stddef.h>

#define PASS_MAX 1024

/* Read a passphrase from SPEC (or the terminal when SPEC is NULL and INTERACTIVE, asking
 * twice when CONFIRM) into BUF. Returns its length (>= 0), or -errno after reporting;
 * -ENOENT (reported) when there is no source. Strips one trailing newline. */
int pass_read(const char *spec, bool interactive, const char *prompt, bool confirm, char *buf,
              size_t size);

#endif
