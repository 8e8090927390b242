/*
 * test_cli_edges.c - end-to-end: uccn at its edges, as a person typing it
 * meets them: "did you mean", bodies that start with '-', filters naming
 * nothing, the kinds, endpoints, aligned output, and completion scripts
 * that come from the command table.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "uccn_records.h"

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

#define COORD(f) ((f)->d->coordinator_key)

static void assert_err_has(const h_run_t *r, const char *text)
{
	if (!strstr(r->err, text)) {
		fprintf(stderr, "stderr lacks \"%s\"\n", text);
		h_run_print(r);
	}
	assert_non_null(strstr(r->err, text));
}

/* The line of text that starts with prefix (a copy), or NULL. */
static char *line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, n) == 0)
			return strndup(p, strcspn(p, "\n"));
	return NULL;
}

/* ---- no daemon needed ---- */

static void test_did_you_mean(void **state)
{
	(void)state;
	h_run_t r = {0};
	h_uccn(&r, NULL, NULL, NULL, "lsit", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "uccn: unknown command 'lsit'; did you mean 'list'?");
	h_uccn(&r, NULL, NULL, NULL, "city", "shwo", "krakow", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "did you mean 'city show'?");
	h_uccn(&r, NULL, NULL, NULL, "meeting", "lst", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "did you mean 'meeting list'?");
	/* A group alone names its sub-commands, from the table. */
	h_uccn(&r, NULL, NULL, NULL, "field", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "'field' needs a sub-command: add or list");
	/* Nothing near: no guess. */
	h_uccn(&r, NULL, NULL, NULL, "xyzzy", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "unknown command 'xyzzy'");
	assert_null(strstr(r.err, "did you mean"));
	/* Options too, and the message names the option, not the command. */
	h_uccn(&r, NULL, NULL, NULL, "list", "--kidn", "news", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "unknown option '--kidn'; did you mean '--kind'?");
	h_uccn(&r, NULL, NULL, NULL, "post", "-item", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "'-item'");
	assert_null(strstr(r.err, "'uccn post'"));
	h_run_clear(&r);
}

static void test_endpoint_needs_transport(void **state)
{
	(void)state;
	h_run_t r = {0};
	h_uccn(&r, NULL, NULL, NULL, "--endpoint", "localhost:7246", "--server-key", "/nonexistent.pub",
	       "--key", "/nonexistent.key", "status", NULL);
	h_assert_exit(&r, 2);
	assert_err_has(&r, "endpoint 'localhost:7246' needs a transport: did you mean "
		       "'tcp://localhost:7246'?");
	assert_true(r.elapsed_ms < 2000);
	h_run_clear(&r);
}

/* A space-separated word list holds word. */
static bool has_word(const char *list, const char *word, size_t len)
{
	for (const char *p = list; (p = strstr(p, word)) != NULL; p++) {
		bool start = p == list || strchr(" '\n", p[-1]);
		bool end = strchr(" '\n=", p[len]) != NULL;
		if (start && end && strncmp(p, word, len) == 0)
			return true;
	}
	return false;
}

/* Each command of `uccn --help` is a line of `uccn completion words`, and
 * both scripts complete its words and its options: the scripts are made
 * from the same table as the help, so a row added to it is completed. */
static void test_completion_from_table(void **state)
{
	(void)state;
	h_run_t help = {0}, words = {0}, bash = {0}, zsh = {0}, r = {0};
	h_uccn(&help, NULL, NULL, NULL, "--help", NULL);
	h_assert_exit(&help, 0);
	h_uccn(&words, NULL, NULL, NULL, "completion", "words", NULL);
	h_assert_exit(&words, 0);
	h_uccn(&bash, NULL, NULL, NULL, "completion", "bash", NULL);
	h_assert_exit(&bash, 0);
	h_uccn(&zsh, NULL, NULL, NULL, "completion", "zsh", NULL);
	h_assert_exit(&zsh, 0);
	assert_non_null(strstr(bash.out, "complete -F _uccn uccn"));
	assert_non_null(strstr(zsh.out, "#compdef uccn"));

	size_t commands = 0, lines = 0;
	for (const char *p = help.out; (p = strstr(p, "\n  uccn ")) != NULL; p++)
		commands++;
	for (const char *p = words.out; *p; p = strchr(p, '\n') + 1, lines++) {
		char *line = strndup(p, strcspn(p, "\n"));
		/* The command's words: those before its first option. */
		char cmd[64], usage[80];
		snprintf(cmd, sizeof cmd, "%.*s", (int)strcspn(line, "-"), line);
		if (cmd[strlen(cmd) - 1] == ' ')
			cmd[strlen(cmd) - 1] = '\0';
		/* It is a command of the help, from the same table. */
		snprintf(usage, sizeof usage, "\n  uccn %s", cmd);
		const char *u = strstr(help.out, usage);
		if (!u || !strchr(" \n", u[strlen(usage)]))
			fprintf(stderr, "'%s' of completion words is not in uccn --help\n", cmd);
		assert_true(u && strchr(" \n", u[strlen(usage)]));
		/* A case label per command in both scripts. */
		char label[80];
		snprintf(label, sizeof label, "'%s')", cmd);
		if (!strstr(bash.out, label) || !strstr(zsh.out, label))
			fprintf(stderr, "a script lacks %s\n", label);
		assert_non_null(strstr(bash.out, label));
		assert_non_null(strstr(zsh.out, label));
		/* Its options, on that label's line, in both; and the parser
		 * agrees: a value option alone wants its value, a flag with a
		 * value is refused as one, neither is "unknown". */
		const char *bl = strstr(bash.out, label), *zl = strstr(zsh.out, label);
		char *bline = strndup(bl, strcspn(bl, "\n")), *zline = strndup(zl, strcspn(zl, "\n"));
		for (const char *o = strstr(line, " --"); o; o = strstr(o + 1, " --")) {
			size_t len = strcspn(o + 1, " =");
			char opt[48];
			snprintf(opt, sizeof opt, "%.*s", (int)len, o + 1);
			bool value = o[1 + len] == '=';
			if (!has_word(bline, opt, len) || !has_word(zline, opt, len))
				fprintf(stderr, "'%s' lacks %s in a script\n", cmd, opt);
			assert_true(has_word(bline, opt, len));
			assert_true(has_word(zline, opt, len));
			char *args[8] = {"--endpoint", "nowhere"};
			int n = 2;
			char *copy = strdup(cmd), *sp = strchr(copy, ' '), flag[64];
			if (sp)
				*sp = '\0';
			args[n++] = copy;
			if (sp)
				args[n++] = sp + 1;
			snprintf(flag, sizeof flag, "%s=x", opt);
			args[n++] = value ? opt : flag;
			args[n] = NULL;
			h_uccnv(&r, NULL, NULL, NULL, args);
			const char *want = value ? "needs a value" : "takes no value";
			if (r.status != 2 || !strstr(r.err, want))
				fprintf(stderr, "the parser of '%s' disagrees about %s (%s)\n", cmd, opt, want);
			h_assert_exit(&r, 2);
			assert_err_has(&r, want);
			free(copy);
		}
		free(bline);
		free(zline);
		free(line);
	}
	/* No more lines than commands: the words are the table's rows. */
	assert_true(commands > 20);
	assert_int_equal(lines, commands);
	h_run_clear(&help);
	h_run_clear(&words);
	h_run_clear(&bash);
	h_run_clear(&zsh);
	h_run_clear(&r);
}

/* ---- with a daemon ---- */

static uint64_t posted(struct fx *f)
{
	h_assert_exit(&f->r, 0);
	return strtoull(f->r.out, NULL, 10);
}

static void test_body_may_start_with_dash(void **state)
{
	struct fx *f = *state;
	char seq[32];
	h_uccn(&f->r, f->d, COORD(f), NULL, "post", "--", "- item", NULL);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)posted(f));
	h_uccn(&f->r, f->d, COORD(f), NULL, "show", seq, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\n- item\n"));

	/* Without "--" too: "- item one" cannot be an option. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "post", "--kind", "news", "- item one", NULL);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)posted(f));
	h_uccn(&f->r, f->d, COORD(f), NULL, "show", seq, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\n- item one\n"));
	assert_non_null(strstr(f->r.out, "news by"));
	/* A title that starts with '-' stays the title. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "post", "--title", "- a title", "body", NULL);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)posted(f));
	h_uccn(&f->r, f->d, COORD(f), NULL, "show", seq, NULL);
	assert_non_null(strstr(f->r.out, "title:   - a title\n"));
	/* Two bodies are one too many. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "post", "- one", "two", NULL);
	h_assert_exit(&f->r, 2);
}

static void test_filters_name_something(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "list", "--city", "nowhere", NULL);
	h_assert_exit(&f->r, 3);
	assert_err_has(&f->r, "there is no city 'nowhere'");
	h_uccn(&f->r, f->d, COORD(f), NULL, "list", "--project", "nothing", NULL);
	h_assert_exit(&f->r, 3);
	assert_err_has(&f->r, "there is no project 'nothing'");
	h_uccn(&f->r, f->d, COORD(f), NULL, "list", "--meeting", "never", NULL);
	h_assert_exit(&f->r, 3);
	assert_err_has(&f->r, "there is no meeting 'never'");
	/* A city that is there but has not posted: an empty list, exit 0. */
	char key[PATH_MAX];
	assert_int_equal(h_city_register(f->d, "lodz", "Łódź", key), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "list", "--city", "lodz", NULL);
	h_assert_exit(&f->r, 0);
}

static void test_kinds_listed(void **state)
{
	struct fx *f = *state;
	const char *const *cmds[] = {
		(const char *const[]){"list", "--kind", "nwes", NULL},
		(const char *const[]){"post", "--kind", "nwes", "body", NULL},
	};
	for (size_t c = 0; c < 2; c++) {
		h_uccnv(&f->r, f->d, COORD(f), NULL, (char *const *)cmds[c]);
		h_assert_exit(&f->r, 2);
		assert_err_has(&f->r, "kind 'nwes' is not a post kind: ");
		for (size_t i = 0; uccn_post_kinds[i]; i++)
			assert_err_has(&f->r, uccn_post_kinds[i]);
		assert_err_has(&f->r, "did you mean 'news'?");
	}
}

/* The inbox's header is list's, and a post's row is list's row. */
static void test_inbox_aligned_like_list(void **state)
{
	struct fx *f = *state;
	char key[PATH_MAX];
	assert_int_equal(h_city_register(f->d, "krakow", "Kraków", key), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "post", "--to", "city:krakow", "--title",
	       "Żubrówka tasting", "see you there", NULL);
	char seq[32];
	snprintf(seq, sizeof seq, "%6llu  ", (unsigned long long)posted(f));
	h_uccn(&f->r, f->d, key, NULL, "list", NULL);
	h_assert_exit(&f->r, 0);
	char *list_head = line_starting(f->r.out, "   SEQ"), *list_row = line_starting(f->r.out, seq);
	h_uccn(&f->r, f->d, key, NULL, "inbox", NULL);
	h_assert_exit(&f->r, 0);
	char *inbox_head = line_starting(f->r.out, "   SEQ"), *inbox_row = line_starting(f->r.out, seq);
	assert_non_null(list_head);
	assert_non_null(list_row);
	if (!inbox_head || !inbox_row)
		h_run_print(&f->r);
	assert_non_null(inbox_head);
	assert_non_null(inbox_row);
	assert_string_equal(inbox_head, list_head);
	assert_string_equal(inbox_row, list_row);
	free(list_head);
	free(list_row);
	free(inbox_head);
	free(inbox_row);
}

static void test_city_show_version(void **state)
{
	struct fx *f = *state;
	char key[PATH_MAX];
	assert_int_equal(h_city_register(f->d, "krakow", "Kraków", key), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "show", "krakow", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\nversion: 1\n"));
	/* The version shown is the one --if-version takes. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "krakow", "--if-version", "1",
	       "--country", "Poland", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "show", "krakow", NULL);
	assert_non_null(strstr(f->r.out, "\nversion: 2\n"));
}

/* Failure 5 of issue 14: a FIFO where a file is expected (the CSV to
 * import, the key file) is refused at once, not waited on for ever. */
static void test_fifo_refused(void **state)
{
	struct fx *f = *state;
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/cities.csv", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "--timeout", "2", "import", "cities", fifo, NULL);
	assert_false(f->r.timed_out);
	assert_int_not_equal(f->r.status, 0);
	assert_err_has(&f->r, "is not a regular file");
	h_uccn(&f->r, f->d, fifo, NULL, "--timeout", "2", "status", NULL);
	assert_false(f->r.timed_out);
	assert_int_not_equal(f->r.status, 0);
	assert_err_has(&f->r, "is not a regular file");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_endpoint_needs_transport),
		cmocka_unit_test(test_completion_from_table),
		T(test_body_may_start_with_dash),
		T(test_filters_name_something),
		T(test_kinds_listed),
		T(test_inbox_aligned_like_list),
		T(test_city_show_version),
		T(test_fifo_refused),
	};
	return cmocka_run_group_tests_name("e2e_cli_edges", tests, NULL, NULL);
}
