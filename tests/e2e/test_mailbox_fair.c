/*
 * test_mailbox_fair.c - end-to-end: one city posting to `all` past its
 * share of every mailbox must not leave other cities unable to message
 * anyone (issue 14, failure 10). uccnd runs with a small quota (128, so a
 * sender's share is 16) to keep the flood short.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA "128"
#define SHARE 16
#define FLOOD (SHARE + 8)

struct fx {
	char *dir;
	h_daemon_t *d;
	char granada[PATH_MAX]; /* the flooder */
	char krakow[PATH_MAX];
	char lodz[PATH_MAX];
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "granada", "Granada", f->granada) != 0 ||
	    h_city_register(f->d, "krakow", "Krakow", f->krakow) != 0 ||
	    h_city_register(f->d, "lodz", "Lodz", f->lodz) != 0 ||
	    h_daemon_stop(f->d) != 0 || h_daemon_start_with(f->d, "--mailbox-quota", QUOTA) != 0) {
		h_daemon_down(&f->dir, &f->d);
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

static bool inbox_shows(struct fx *f, const char *key, const char *text)
{
	h_uccn(&f->r, f->d, key, NULL, "--json", "inbox", NULL);
	h_assert_exit(&f->r, 0);
	return strstr(f->r.out, text) != NULL;
}

static void test_broadcast_flood_leaves_others_served(void **state)
{
	struct fx *f = *state;
	/* Every broadcast is stored, past the share as well: none refused. */
	for (int i = 0; i < FLOOD; i++) {
		char body[64];
		snprintf(body, sizeof body, "flood %d", i + 1);
		h_uccn(&f->r, f->d, f->granada, NULL, "post", "--kind", "news", "--to", "all",
		       body, NULL);
		h_assert_exit(&f->r, 0);
	}
	/* Lodz got Granada's share of it, no more. */
	h_uccn(&f->r, f->d, f->lodz, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	char want[32];
	snprintf(want, sizeof want, "\"unread\":%d", SHARE);
	if (!strstr(f->r.out, want))
		h_run_print(&f->r);
	assert_non_null(strstr(f->r.out, want));
	assert_true(inbox_shows(f, f->lodz, "flood 16"));
	assert_false(inbox_shows(f, f->lodz, "flood 17"));

	/* Krakow still messages Lodz, and Lodz sees it. */
	h_uccn(&f->r, f->d, f->krakow, NULL, "post", "--kind", "message", "--to", "city:lodz",
	       "from Krakow, after the flood", NULL);
	h_assert_exit(&f->r, 0);
	assert_true(inbox_shows(f, f->lodz, "from Krakow, after the flood"));

	/* Granada's own direct message past its share is refused, naming Lodz. */
	h_uccn(&f->r, f->d, f->granada, NULL, "post", "--kind", "message", "--to",
	       "city:lodz", "one more from Granada", NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "lodz"));
	assert_non_null(strstr(f->r.err, "share"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broadcast_flood_leaves_others_served, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
