/*
 * test_profile.c - unit tests of uccn's profiles (cli/profile.c): the file
 * format both ways, atomic saving and selection, a malformed line named by
 * file and line, the precedence of flags, environment and profile; and the
 * key fingerprint (proto/fingerprint.c) against a known vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "uccn_error.h"
#include "uccn_fingerprint.h"

#include "../../cli/profile.h"
#include "../harness/tmpdir.h"

/* Four times RFC 32's "HelloWorld" (bytes 86 4F D2 6F B5 59 F7 5B). */
#define HELLO_KEY "HelloWorldHelloWorldHelloWorldHelloWorld"
#define SERVER_KEY "rEXDp2]++l*Q>h1>Djjy-<&nx{U)DNDp.5/BryqZ"

static int setup(void **state)
{
	char *dir = tmpdir_new("profile");
	if (!dir)
		return -1;
	char cfg[4096];
	snprintf(cfg, sizeof cfg, "%s/cfg", dir);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char *dir = *state;
	tmpdir_destroy(&dir);
	return 0;
}

static void fingerprint_known_vector(void **state)
{
	(void)state;
	char fp[UCCN_FINGERPRINT_LEN + 1], hex[65];
	assert_int_equal(uccn_key_fingerprint(HELLO_KEY, fp, sizeof fp), 0);
	assert_string_equal(fp, "864f:d26f:b559:f75b");
	assert_int_equal(uccn_key_hex(HELLO_KEY, hex, sizeof hex), 0);
	assert_string_equal(hex, "864fd26fb559f75b864fd26fb559f75b864fd26fb559f75b864fd26fb559f75b");
	/* Too short, a letter outside Z85, a group past 32 bits, no room. */
	assert_int_equal(uccn_key_fingerprint("HelloWorld", fp, sizeof fp), UCCN_E_INVALID);
	assert_int_equal(uccn_key_fingerprint("HelloWorldHelloWorldHelloWorldHelloWorl\"", fp, sizeof fp),
			 UCCN_E_INVALID);
	assert_int_equal(uccn_key_fingerprint("#####HelloHelloWorldHelloWorldHelloWorld", fp, sizeof fp),
			 UCCN_E_INVALID);
	assert_int_equal(uccn_key_fingerprint(HELLO_KEY, fp, UCCN_FINGERPRINT_LEN), UCCN_E_TOOBIG);
}

static void parse_every_setting(void **state)
{
	(void)state;
	struct profile p = {0};
	char err[512];
	const char *text =
		"# a comment\n"
		"\n"
		"  endpoint = tcp://uccn.example.org:7246  \r\n"
		"server_key=" SERVER_KEY "\n"
		"key_file = /home/k/uccn/krakow.key\n"
		"json = true\n"
		"timeout = 1500ms\n";
	assert_int_equal(profile_parse(text, "x.conf", &p, err, sizeof err), 0);
	assert_string_equal(p.endpoint, "tcp://uccn.example.org:7246");
	assert_string_equal(p.server_key, SERVER_KEY);
	assert_string_equal(p.key_file, "/home/k/uccn/krakow.key");
	assert_true(p.json);
	assert_int_equal(p.timeout_ms, 1500);
	profile_clear(&p);
	int ms;
	assert_int_equal(profile_parse_duration("10s", &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(profile_parse_duration("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(profile_parse_duration("2.5", &ms), 0);
	assert_int_equal(ms, 2500);
	assert_int_equal(profile_parse_duration("-1s", &ms), -1);
	assert_int_equal(profile_parse_duration("10h", &ms), -1);
	assert_int_equal(profile_parse_duration("3601s", &ms), -1);
}

/* Each malformed line is refused with the file and its line number. */
static void malformed_line_names_file_and_line(void **state)
{
	(void)state;
	static const struct { const char *text; const char *want; } cases[] = {
		{"endpoint = tcp://h:1\n\nno equals sign\n", "p.conf:3: "},
		{"# c\nserver_key = short\n", "p.conf:2: server_key"},
		{"json = yes\n", "p.conf:1: json"},
		{"endpoint = tcp://h:1\ntimeout = soon\n", "p.conf:2: timeout"},
		{"colour = blue\n", "p.conf:1: colour: unknown setting"},
		{"endpoint = h:7246\n", "p.conf:1: endpoint"},
		{"key_file =\n", "p.conf:1: key_file: no value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct profile p = {0};
		char err[512] = "";
		assert_int_equal(profile_parse(cases[i].text, "p.conf", &p, err, sizeof err), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: '%s' does not start with '%s'", i, err, cases[i].want);
		profile_clear(&p);
	}
}

/* No temporary file may be left beside the saved ones. */
static void assert_no_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp"))
			fail_msg("a temporary file was left: %s/%s", dir, e->d_name);
	closedir(d);
}

static void save_load_select_remove(void **state)
{
	const char *dir = *state;
	char err[512], path[4096];
	struct profile out;
	/* Nothing yet: no profile selected, none by that name. */
	assert_int_equal(profile_load(NULL, &out, err, sizeof err), 1);
	assert_int_equal(profile_load("krakow", &out, err, sizeof err), 1);
	struct profile p = {
		.name = "krakow", .endpoint = "tcp://uccn.example.org:7246",
		.server_key = SERVER_KEY, .key_file = "/k/krakow.key", .timeout_ms = 3000,
	};
	assert_int_equal(profile_save(&p, false, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/cfg/uccn/profiles", dir);
	assert_no_temp_files(path);
	assert_int_equal(profile_load(NULL, &out, err, sizeof err), 1);  /* not selected */
	assert_int_equal(profile_load("krakow", &out, err, sizeof err), 0);
	assert_string_equal(out.name, "krakow");
	assert_string_equal(out.endpoint, p.endpoint);
	assert_string_equal(out.server_key, SERVER_KEY);
	assert_string_equal(out.key_file, p.key_file);
	assert_false(out.json);
	assert_int_equal(out.timeout_ms, 3000);
	profile_clear(&out);
	/* Saved again, selected: the file is replaced, never appended to. */
	p.json = true;
	p.timeout_ms = 0;
	assert_int_equal(profile_save(&p, true, err, sizeof err), 0);
	assert_int_equal(profile_load(NULL, &out, err, sizeof err), 0);
	assert_true(out.json);
	assert_int_equal(out.timeout_ms, 0);
	profile_clear(&out);
	char cur[PROFILE_NAME_MAX + 1];
	assert_int_equal(profile_current(cur, sizeof cur, err, sizeof err), 0);
	assert_string_equal(cur, "krakow");
	snprintf(path, sizeof path, "%s/cfg/uccn/profiles/krakow.conf", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);  /* private */
	/* Removing the selected profile unselects it. */
	assert_int_equal(profile_remove("krakow", err, sizeof err), 0);
	assert_int_equal(profile_load(NULL, &out, err, sizeof err), 1);
	assert_int_equal(profile_remove("krakow", err, sizeof err), 1);
	/* Names that are not one plain file name are refused. */
	p.name = "../evil";
	assert_int_equal(profile_save(&p, false, err, sizeof err), -1);
	p.name = "ok";
	p.endpoint = "tcp://h:1\nkey_file = /etc/passwd";
	assert_int_equal(profile_save(&p, false, err, sizeof err), -1);
}

static void malformed_file_on_disk(void **state)
{
	const char *dir = *state;
	char err[512], path[4096];
	struct profile p = {.name = "bad", .endpoint = "tcp://h:1"};
	struct profile out;
	assert_int_equal(profile_save(&p, true, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/cfg/uccn/profiles/bad.conf", dir);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("timeout = forever\n", f);
	fclose(f);
	assert_int_equal(profile_load(NULL, &out, err, sizeof err), -1);
	char want[4200];
	/* The header, the endpoint and json lines come first: line 4. */
	snprintf(want, sizeof want, "%s:4: timeout", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("'%s' does not start with '%s'", err, want);
}

static void precedence_field_by_field(void **state)
{
	(void)state;
	struct profile p = {
		.endpoint = "tcp://profile:1", .server_key = SERVER_KEY,
		.key_file = "/profile.key", .json = true, .timeout_ms = 3000,
	};
	struct settings flag = {.key_file = "/flag.key", .json = -1};
	struct settings env = {.endpoint = "tcp://env:1", .key_file = "/env.key", .json = -1};
	struct settings s;
	settings_merge(&s, &flag, &env, &p);
	assert_string_equal(s.endpoint, "tcp://env:1");   /* env over profile */
	assert_string_equal(s.key_file, "/flag.key");     /* flag over env */
	assert_string_equal(s.server_key, SERVER_KEY);    /* profile fills the rest */
	assert_int_equal(s.json, 1);
	assert_int_equal(s.timeout_ms, 3000);
	flag.endpoint = "tcp://flag:1";
	flag.timeout_ms = 500;
	settings_merge(&s, &flag, &env, &p);
	assert_string_equal(s.endpoint, "tcp://flag:1");
	assert_int_equal(s.timeout_ms, 500);
	/* No profile: what the flags and the environment leave unset stays
	 * unset, for the local daemon's files and the defaults. */
	settings_merge(&s, &flag, &env, NULL);
	assert_null(s.server_key);
	assert_int_equal(s.json, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fingerprint_known_vector),
		cmocka_unit_test(parse_every_setting),
		cmocka_unit_test(malformed_line_names_file_and_line),
		cmocka_unit_test_setup_teardown(save_load_select_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_file_on_disk, setup, teardown),
		cmocka_unit_test(precedence_field_by_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
