// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the peer-certificate checks of the verify callback (remote-cert-tls,
 * ns-cert-type, the default role check with and without allow-unmarked-certs,
 * verify-x509-name) and the CN extraction, on certificates a peer could present.
 *
 * Input: one flags byte, then either a DER certificate (flags bit 0) or the fields of a
 * certificate built here and signed with a fixed Ed25519 key: keyUsage, extendedKeyUsage,
 * nsCertType and basicConstraints (each present or not, critical or not, any bits), and a
 * subject with up to three entries of any string type and any bytes (NULs, commas, newlines,
 * invalid UTF-8). The built certificate goes through DER and back, as a peer's would. Then
 * the checks run under a policy from the input: the role we expect, remote-cert-tls,
 * ns-cert-type, allow-unmarked-certs and a verify-x509-name taken from the CN or the input.
 *
 * Invariants abort. Each answer is compared with what the certificate's extensions, decoded
 * here independently, say: remote-cert-tls passes only with keyUsage and an extendedKeyUsage
 * naming the role, and always then (for a certificate whose extensions all decode, as chain
 * verification demands before); the role checks pass only for a certificate valid for the
 * role (OpenSSL's purpose check) that names the role in extendedKeyUsage or nsCertType, or that
 * names no role at all when allow-unmarked-certs is on (which only ever admits more); a
 * refusal always has a reason; the answer is the same when asked twice. verify-x509-name:
 * a subject match is exact, a name-prefix match starts the CN's text. The CN copy always ends
 * inside its buffer.
 *
 * A name or name-prefix match must also hold on the CN's whole value: a CN with a NUL byte or
 * longer than the comparison buffer must not match the name its first bytes spell.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tls.h"

#define MAX_CN 1100 /* beyond the 1024-byte buffer the name check compares in */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t next(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static EVP_PKEY *signing_key(void)
{
	static const uint8_t seed[32] = { 'l', '2', 'v', 'p', 'n', '-', 'f', 'u', 'z', 'z' };
	static EVP_PKEY *key;

	if (!key)
		key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	CHECK(key);
	return key;
}

static bool add_bits(X509 *x, int nid, uint8_t b0, uint8_t b1, int crit)
{
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
	bool ok = bits != NULL;

	for (int i = 0; ok && i < 8; i++)
		ok = ASN1_BIT_STRING_set_bit(bits, i, b0 >> i & 1) == 1 &&
		     ASN1_BIT_STRING_set_bit(bits, 8 + i, b1 >> i & 1 && nid == NID_key_usage) == 1;
	ok = ok && X509_add1_ext_i2d(x, nid, bits, crit, X509V3_ADD_DEFAULT) == 1;
	ASN1_BIT_STRING_free(bits);
	return ok;
}

static bool add_eku(X509 *x, uint8_t mask, int crit)
{
	static const int nids[] = { NID_server_auth,         NID_client_auth,
		                    NID_code_sign,           NID_email_protect,
		                    NID_anyExtendedKeyUsage, NID_OCSP_sign,
		                    NID_time_stamp,          NID_ns_sgc };
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	bool ok = eku != NULL;

	for (int i = 0; ok && i < 8; i++)
		if (mask >> i & 1)
			ok = sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(nids[i])) > 0;
	ok = ok && X509_add1_ext_i2d(x, NID_ext_key_usage, eku, crit, X509V3_ADD_DEFAULT) == 1;
	sk_ASN1_OBJECT_free(eku); /* the objects are static */
	return ok;
}

static bool add_basic_constraints(X509 *x, bool ca, int crit)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	bool ok = bc != NULL;

	if (ok)
		bc->ca = ca ? 0xff : 0;
	ok = ok && X509_add1_ext_i2d(x, NID_basic_constraints, bc, crit, X509V3_ADD_DEFAULT) == 1;
	BASIC_CONSTRAINTS_free(bc);
	return ok;
}

/* One subject entry: an attribute, a string type and the bytes, all from the input. */
static bool add_entry(X509_NAME *name, struct input *in)
{
	static const int nids[] = { NID_commonName, NID_commonName, NID_organizationName,
		                    NID_organizationalUnitName };
	static const int types[] = { V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
		                     V_ASN1_BMPSTRING,  V_ASN1_T61STRING,       V_ASN1_UTF8STRING };
	uint8_t how = next(in);
	size_t len = next(in);
	uint8_t bytes[MAX_CN];

	if (how & 0x80) /* a long one: padded with a letter */
		len = len * 8 + 1000 > sizeof(bytes) ? sizeof(bytes) : len * 8 + 1000;
	memset(bytes, 'a', len);
	for (size_t i = 0; i < len && in->left; i++) {
		if ((how & 0x80) && i >= 16)
			break;
		bytes[i] = next(in);
	}
	return X509_NAME_add_entry_by_NID(name, nids[how & 3], types[(how >> 2) % 6], bytes,
	                                  (int)len, -1, 0) == 1;
}

/* The certificate described by the input, signed, through DER and back. */
static X509 *build_cert(struct input *in)
{
	uint8_t ku0 = next(in), ku1 = next(in), eku = next(in), ns = next(in), ext = next(in);
	uint8_t n_entries = next(in) % 4;
	X509 *x = X509_new(), *parsed = NULL;
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;
	bool ok = x && name;

	ok = ok && X509_set_version(x, X509_VERSION_3) == 1 &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), 1 + eku) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	for (uint8_t i = 0; ok && i < n_entries; i++)
		ok = add_entry(name, in);
	ok = ok && X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
	     X509_set_pubkey(x, signing_key()) == 1;
	if (ok && (ext & 1))
		ok = add_bits(x, NID_key_usage, ku0, ku1, ext >> 1 & 1);
	if (ok && (ext & 4))
		ok = add_eku(x, eku, ext >> 3 & 1);
	if (ok && (ext & 16))
		ok = add_bits(x, NID_netscape_cert_type, ns, 0, ext >> 5 & 1);
	if (ok && (ext & 64))
		ok = add_basic_constraints(x, ext >> 7 & 1, 1);
	ok = ok && X509_sign(x, signing_key(), NULL) > 0;
	len = ok ? i2d_X509(x, &der) : -1;
	if (len > 0) {
		p = der;
		parsed = d2i_X509(NULL, &p, len);
	}
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	return parsed;
}

/* What the extensions say, decoded here without OpenSSL's flag cache. */
struct facts {
	bool ku; /* keyUsage present and decodes */
	bool eku, eku_server, eku_client;
	bool ns, ns_server, ns_client;
	bool any_eku_ext,
	    any_ns_ext; /* the extension is there at all (even if it does not decode) */
	bool purpose_server, purpose_client;
	bool invalid; /* OpenSSL finds an extension broken: chain verification refuses it */
};

static void learn_facts(X509 *x, struct facts *f)
{
	ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, NULL, NULL);
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	ASN1_BIT_STRING *ns = X509_get_ext_d2i(x, NID_netscape_cert_type, NULL, NULL);

	memset(f, 0, sizeof(*f));
	f->ku = ku != NULL;
	f->eku = eku != NULL;
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));

		f->eku_server |= nid == NID_server_auth;
		f->eku_client |= nid == NID_client_auth;
	}
	f->ns = ns != NULL;
	f->ns_client = ns && ASN1_BIT_STRING_get_bit(ns, 0);
	f->ns_server = ns && ASN1_BIT_STRING_get_bit(ns, 1);
	f->any_eku_ext = X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0;
	f->any_ns_ext = X509_get_ext_by_NID(x, NID_netscape_cert_type, -1) >= 0;
	f->purpose_server = X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1;
	f->purpose_client = X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0) == 1;
	f->invalid = X509_get_extension_flags(x) & EXFLAG_INVALID;
	ASN1_BIT_STRING_free(ku);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ASN1_BIT_STRING_free(ns);
}

static bool marked(const struct facts *f, enum config_cert_purpose role)
{
	return role == PURPOSE_SERVER ? f->eku_server || f->ns_server
	                              : f->eku_client || f->ns_client;
}

static bool valid_for(const struct facts *f, enum config_cert_purpose role)
{
	return role == PURPOSE_SERVER ? f->purpose_server : f->purpose_client;
}

static int check(X509 *x, const struct tls_peer_checks *c)
{
	char reason[256], again[256];
	int r;

	memset(reason, 0, sizeof(reason));
	r = tls_check_peer_cert(x, c, reason, sizeof(reason));
	CHECK(r == 0 || r == -EACCES);
	CHECK(r == 0 || (reason[0] && memchr(reason, '\0', sizeof(reason))));
	CHECK(tls_check_peer_cert(x, c, again, sizeof(again)) == r);
	CHECK(r == 0 || !strcmp(reason, again));
	return r;
}

/* The first CN's raw value; its length, or -1 without a CN. */
static int raw_cn(X509 *x, const unsigned char **data)
{
	X509_NAME *name = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	ASN1_STRING *s;

	if (i < 0)
		return -1;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	*data = ASN1_STRING_get0_data(s);
	return ASN1_STRING_length(s);
}

static void check_names(X509 *x, struct input *in, const struct tls_peer_checks *base)
{
	struct tls_peer_checks c = *base;
	const unsigned char *cn = NULL;
	int cn_len = raw_cn(x, &cn);
	char want[MAX_CN + 1], text[64];
	uint8_t how = next(in);
	size_t len = 0;

	/* the name asked for: a prefix of the CN's bytes, or bytes from the input */
	if ((how & 1) && cn_len > 0) {
		size_t n = (size_t)next(in) << 4 | next(in);

		for (len = 0; len < n && len < (size_t)cn_len && cn[len]; len++)
			want[len] = (char)cn[len];
	} else {
		for (size_t n = next(in); len < n && in->left;) {
			uint8_t b = next(in);

			if (b)
				want[len++] = (char)b;
		}
	}
	want[len] = '\0';
	if (!len)
		return; /* the config refuses an empty name */
	c.verify_name = want;
	c.verify_match = (how >> 1) % 3 == 0   ? X509_MATCH_NAME
	                 : (how >> 1) % 3 == 1 ? X509_MATCH_PREFIX
	                                       : X509_MATCH_SUBJECT;
	if (check(x, &c) != 0)
		return;
	/* passing with a name means passing without it */
	c.verify_name = NULL;
	CHECK(check(x, &c) == 0);
	if (c.verify_match == X509_MATCH_SUBJECT) {
		char line[MAX_CN * 4 + 64];

		CHECK(tls_cert_subject(x, line, sizeof(line)) >= 0 && !strcmp(line, want));
		return;
	}
	CHECK(cn_len >= 0);
	CHECK((size_t)cn_len >= strlen(want) && !memcmp(cn, want, strlen(want)));
	/* the CN's whole value was judged: no NUL byte in it, and all of it for an exact name */
	CHECK(!memchr(cn, '\0', (size_t)cn_len));
	if (c.verify_match == X509_MATCH_NAME)
		CHECK((size_t)cn_len == strlen(want));
	tls_cert_common_name(x, text, sizeof(text));
	CHECK(memchr(text, '\0', sizeof(text)));
}

static void check_cert(X509 *x, struct input *in)
{
	uint8_t pol = next(in);
	struct tls_peer_checks c = {
		.want = pol & 1 ? PURPOSE_SERVER : PURPOSE_CLIENT,
		.remote_cert_tls = (enum config_cert_purpose)((pol >> 1) % 3),
		.ns_cert_type = (enum config_cert_purpose)((pol >> 3) % 3),
		.allow_unmarked = pol >> 5 & 1,
	};
	struct facts f;
	int r;
	char cn[80];

	learn_facts(x, &f);
	r = check(x, &c);
	if (r == 0 && c.remote_cert_tls != PURPOSE_NONE)
		CHECK(f.ku && (c.remote_cert_tls == PURPOSE_SERVER ? f.eku_server : f.eku_client));
	if (c.remote_cert_tls != PURPOSE_NONE && c.ns_cert_type == PURPOSE_NONE && !f.invalid &&
	    f.ku && (c.remote_cert_tls == PURPOSE_SERVER ? f.eku_server : f.eku_client))
		CHECK(r == 0);
	if (r == 0 && c.ns_cert_type != PURPOSE_NONE)
		CHECK(valid_for(&f, c.ns_cert_type) && marked(&f, c.ns_cert_type));
	if (r == 0 && c.remote_cert_tls == PURPOSE_NONE && c.ns_cert_type == PURPOSE_NONE)
		CHECK(
		    valid_for(&f, c.want) &&
		    (marked(&f, c.want) || (c.allow_unmarked && !f.any_eku_ext && !f.any_ns_ext)));
	/* allow-unmarked-certs only admits more */
	if (r == 0 && !c.allow_unmarked) {
		c.allow_unmarked = true;
		CHECK(check(x, &c) == 0);
		c.allow_unmarked = false;
	}
	/* a client certificate never passes the server role check, and the reverse */
	if (c.remote_cert_tls == PURPOSE_NONE && c.ns_cert_type == PURPOSE_NONE) {
		struct tls_peer_checks other = c;

		other.want = c.want == PURPOSE_SERVER ? PURPOSE_CLIENT : PURPOSE_SERVER;
		if (r == 0 && marked(&f, c.want) && !marked(&f, other.want) &&
		    (f.any_eku_ext || f.any_ns_ext))
			CHECK(check(x, &other) != 0);
	}
	tls_cert_common_name(x, cn, sizeof(cn));
	CHECK(memchr(cn, '\0', sizeof(cn)));
	tls_cert_common_name(NULL, cn, sizeof(cn));
	CHECK(!strcmp(cn, "UNDEF"));
	if (r == 0)
		check_names(x, in, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint8_t flags = next(&in);
	X509 *x;

	if (flags & 1) {
		/* a DER certificate: the rest up to a length given in the next two bytes */
		size_t len = (size_t)next(&in) << 8 | next(&in);
		const unsigned char *p = in.p;

		if (len > in.left)
			len = in.left;
		x = d2i_X509(NULL, &p, (long)len);
		in.p += len;
		in.left -= len;
	} else {
		x = build_cert(&in);
	}
	if (x)
		check_cert(x, &in);
	X509_free(x);
	return 0;
}
