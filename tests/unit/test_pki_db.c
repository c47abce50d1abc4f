/* pki db: index.txt parsing/formatting, dates, CN extraction, serial files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "db.h"

static const char index_text[] =
    "V\t290224170854Z\t\t3107F77DCF974F853B93CD29B6FAEFE3\tunknown\t/C=US/CN=vpn.example.com\n"
    "R\t290224170854Z\t261122170858Z,superseded\t0A\tunknown\t/CN=client1/name=EasyRSA\n";

static void test_roundtrip(void **state)
{
	struct db db = { 0 };
	unsigned bad = 0;
	char *out;

	(void)state;
	assert_int_equal(db_parse(index_text, &db, &bad), 0);
	assert_int_equal(db.n, 2);
	assert_int_equal(db.rows[0].status, 'V');
	assert_string_equal(db.rows[1].revoked, "261122170858Z,superseded");
	assert_string_equal(db.rows[1].serial, "0A");
	out = db_format(&db);
	assert_non_null(out);
	assert_string_equal(out, index_text);
	free(out);
	assert_int_equal(db_find_serial(&db, "a"), 1);
	assert_int_equal(db_find_serial(&db, "000A"), 1);
	assert_int_equal(db_find_serial(&db, "0B"), -1);
	assert_int_equal(db_append(&db, 'V', "300101000000Z", "", "0C", "/CN=x"), 0);
	assert_int_equal(db.n, 3);
	assert_string_equal(db.rows[2].file, "unknown");
	db_free(&db);
}

static void test_corrupt(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{ "V\t290224170854Z\t\t0A\tunknown\n", 1 },                     /* 5 fields */
		{ "X\t290224170854Z\t\t0A\tunknown\t/CN=a\n", 1 },              /* status */
		{ "V\t2902241708Z\t\t0A\tunknown\t/CN=a\n", 1 },                /* date */
		{ "V\t290224170854Z\t\tZZ\tunknown\t/CN=a\n", 1 },              /* serial */
		{ "R\t290224170854Z\t\t0A\tunknown\t/CN=a\n", 1 },              /* R without date */
		{ "V\t290224170854Z\t261122170858Z\t0A\tunknown\t/CN=a\n", 1 }, /* V with date */
		{ "V\t290224170854Z\t\t0A\tunknown\t/CN=a\n\n", 2 },            /* blank line */
		{ "V\t290224170854Z\t\t0A\tunknown\t\n", 1 },                   /* no subject */
		{ "V\t291324170854Z\t\t0A\tunknown\t/CN=a\n", 1 },              /* month 13 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct db db = { 0 };
		unsigned line = 0;
		assert_int_equal(db_parse(bad[i].text, &db, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
		assert_int_equal(db.n, 0);
	}
}

static void test_empty(void **state)
{
	struct db db = { 0 };
	unsigned bad = 0;
	char *out;

	(void)state;
	assert_int_equal(db_parse("", &db, &bad), 0);
	assert_int_equal(db.n, 0);
	out = db_format(&db);
	assert_string_equal(out, "");
	free(out);
}

static void test_times(void **state)
{
	time_t t;
	char buf[20];

	(void)state;
	assert_true(db_parse_time("000101000000Z", &t));
	assert_int_equal(t, 946684800);
	db_format_time(t, buf, sizeof(buf));
	assert_string_equal(buf, "000101000000Z");
	/* From 2050 the index holds GeneralizedTime, as OpenSSL does. */
	assert_true(db_parse_time("20500101000000Z", &t));
	assert_int_equal(t, 2524608000);
	db_format_time(t, buf, sizeof(buf));
	assert_string_equal(buf, "20500101000000Z");
	assert_true(db_parse_time("491231235959Z", &t));
	assert_int_equal(t, 2524607999);
	assert_false(db_parse_time("000101000000", &t));
	assert_false(db_parse_time("00010100000aZ", &t));
	assert_false(db_parse_time("", &t));
}

static void test_subject_cn(void **state)
{
	char buf[16];

	(void)state;
	assert_true(db_subject_cn("/C=US/CN=vpn.example.com/name=x", buf, sizeof(buf)));
	assert_string_equal(buf, "vpn.example.com");
	assert_true(db_subject_cn("/CN=a b", buf, sizeof(buf)));
	assert_string_equal(buf, "a b");
	assert_true(db_subject_cn("/CN=a/b", buf, sizeof(buf))); /* '/' not followed by attr= */
	assert_string_equal(buf, "a/b");
	assert_true(db_subject_cn("/CN=averyveryverylongname", buf, sizeof(buf)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_false(db_subject_cn("/O=x", buf, sizeof(buf)));
}

static void test_serial_file(void **state)
{
	(void)state;
	assert_true(db_serial_valid("01\n"));
	assert_true(db_serial_valid("739B64F2B256F020FBDD090B86DBD6D4"));
	assert_false(db_serial_valid(""));
	assert_false(db_serial_valid("\n"));
	assert_false(db_serial_valid("01\n02\n"));
	assert_false(db_serial_valid("garbage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_empty),      cmocka_unit_test(test_times),
		cmocka_unit_test(test_subject_cn), cmocka_unit_test(test_serial_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
