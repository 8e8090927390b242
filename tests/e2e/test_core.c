/*
 * test_core.c - end-to-end: what uccnd and uccn must show. Each test gets a
 * fresh data directory and a running daemon; cities and posts go through
 * the real CLI, over CURVE, into LMDB.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_msg.h"
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

/* ---- helpers ---- */

/* Run uccn with key and `--json` before args; assert exit 0 and return the
 * parsed output (f->r keeps the raw text). */
static h_json_t *run_json(struct fx *f, const char *key, ...) __attribute__((sentinel));
static h_json_t *run_json(struct fx *f, const char *key, ...)
{
	char *args[32] = {"--json"};
	size_t n = 1;
	va_list ap;
	va_start(ap, key);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL && n + 1 < 32)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	h_uccnv(&f->r, f->d, key, NULL, args);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	if (!j)
		h_run_print(&f->r);
	assert_non_null(j);
	return j;
}

/* stdout of the last run must be one decimal number alone on a line. */
static uint64_t seq_line(const h_run_t *r)
{
	size_t digits = strspn(r->out, "0123456789");
	if (digits == 0 || strcmp(r->out + digits, "\n") != 0)
		h_run_print(r);
	assert_true(digits > 0);
	assert_string_equal(r->out + digits, "\n");
	return strtoull(r->out, NULL, 10);
}

/* Post body as the city of key; returns the printed seq. */
static uint64_t post(struct fx *f, const char *key, const char *kind,
		     const char *body)
{
	h_uccn(&f->r, f->d, key, NULL, "post", "--kind", kind, body, NULL);
	h_assert_exit(&f->r, 0);
	return seq_line(&f->r);
}

/* stderr of the last run must be a message starting "uccn: ". */
static void assert_message(const h_run_t *r)
{
	if (strncmp(r->err, "uccn: ", 6) != 0 || r->err_len < 8)
		h_run_print(r);
	assert_true(r->err_len >= 8);
	assert_memory_equal(r->err, "uccn: ", 6);
}

/* The public key of a key file. */
static void keyfile_pub(const char *path, char pub[UCCN_KEY_Z85_LEN + 1],
			char sec[UCCN_KEY_Z85_LEN + 1])
{
	size_t n = 0;
	char *text = h_read_file(path, &n);
	assert_non_null(text);
	assert_int_equal(uccn_keyfile_parse(text, n, pub, sec), 0);
	free(text);
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The city with id in a city list. */
static const h_json_t *find_city(const h_json_t *list, const char *id)
{
	for (size_t i = 0; i < h_json_len(list); i++) {
		const char *cid = h_json_str(h_json_get(h_json_at(list, i), "id"));
		if (cid && strcmp(cid, id) == 0)
			return h_json_at(list, i);
	}
	return NULL;
}

/* Assert the posts of list have exactly the seqs want[0..n), in order. */
static void assert_seqs(const h_json_t *list, const uint64_t *want, size_t n)
{
	assert_int_equal(h_json_type(list), H_JSON_ARRAY);
	if (h_json_len(list) != n) {
		fprintf(stderr, "list has %zu posts, want %zu\n", h_json_len(list), n);
		for (size_t i = 0; i < h_json_len(list); i++)
			fprintf(stderr, "  seq %llu\n",
				(unsigned long long)h_json_u64(h_json_get(h_json_at(list, i), "seq")));
	}
	assert_int_equal(h_json_len(list), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(h_json_u64(h_json_get(h_json_at(list, i), "seq")), want[i]);
}

struct city {
	const char *id, *name, *country, *tz, *year;
	char key[PATH_MAX];
	char pub[UCCN_KEY_Z85_LEN + 1];
};

static struct city krakow = {"krakow", "Kraków", "Poland", "Europe/Warsaw", "2013", "", ""};
static struct city nottingham = {"nottingham", "Nottingham", "United Kingdom",
				 "Europe/London", "2015", "", ""};

/* keygen + city add, as the coordinator; checks both outputs. */
static void add_city(struct fx *f, struct city *c)
{
	snprintf(c->key, sizeof c->key, "%s/%s.key", f->dir, c->id);
	h_uccn(&f->r, NULL, NULL, NULL, "keygen", "-o", c->key, NULL);
	h_assert_exit(&f->r, 0);
	/* The public key alone on stdout, the pair in a 0600 file. */
	assert_int_equal(f->r.out_len, UCCN_KEY_Z85_LEN + 1);
	assert_int_equal(f->r.out[UCCN_KEY_Z85_LEN], '\n');
	memcpy(c->pub, f->r.out, UCCN_KEY_Z85_LEN);
	c->pub[UCCN_KEY_Z85_LEN] = '\0';
	assert_true(uccn_key_z85_valid(c->pub));
	assert_int_equal(file_mode(c->key), 0600);
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	keyfile_pub(c->key, pub, sec);
	assert_string_equal(pub, c->pub);
	assert_true(uccn_key_z85_valid(sec));

	h_json_t *j = run_json(f, f->d->coordinator_key, "city", "add", c->id,
			       "--name", c->name, "--field", "literature",
			       "--key", c->pub, "--country", c->country,
			       "--year", c->year, "--tz", c->tz, NULL);
	assert_string_equal(h_json_str(h_json_get(j, "id")), c->id);
	assert_true(h_json_u64(h_json_get(j, "seq")) > 0);
	h_json_destroy(&j);
}

/* The walk-through's data: two cities, three posts each, interleaved.
 * seqs[] receives the six seqs in posting order. */
static const char *const post_kind[6] = {"update", "news", "proposal",
					 "update", "news", "agenda-item"};
static const char *const post_body[6] = {
	"Kraków: the translators' residency opens its 2027 call.",
	"Nottingham: the Young Poets festival dates are set.",
	"Kraków proposes a joint anthology of the literature cities.",
	"Nottingham: library reading rooms open late in December.",
	"Kraków: Miłosz Festival programme published.",
	"Nottingham asks for 15 minutes at the annual meeting.",
};

static void populate(struct fx *f, uint64_t seqs[6])
{
	add_city(f, &krakow);
	add_city(f, &nottingham);
	for (int i = 0; i < 6; i++) {
		const char *key = i % 2 ? nottingham.key : krakow.key;
		seqs[i] = post(f, key, post_kind[i], post_body[i]);
		if (i)
			assert_true(seqs[i] > seqs[i - 1]);
	}
}

/* ---- tests ---- */

/* The daemon's first start made its keys and the coordinator city. */
static void test_first_start(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 32], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	snprintf(path, sizeof path, "%s/server.key", f->dir);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(file_mode(f->d->coordinator_key), 0600);
	keyfile_pub(f->d->server_pub, pub, sec);
	assert_true(uccn_key_z85_valid(pub));
	assert_string_equal(sec, "");
	keyfile_pub(f->d->coordinator_key, pub, sec);
	assert_true(uccn_key_z85_valid(sec));

	h_json_t *j = run_json(f, f->d->coordinator_key, "city", "list", NULL);
	const h_json_t *c = find_city(j, "coordinator");
	assert_non_null(c);
	assert_string_equal(h_json_str(h_json_get(c, "role")), "coordinator");
	assert_string_equal(h_json_str(h_json_get(c, "field")), "literature");
	assert_string_equal(h_json_str(h_json_get(c, "key")), pub);
	h_json_destroy(&j);

	j = run_json(f, f->d->coordinator_key, "status", NULL);
	assert_string_equal(h_json_str(h_json_get(j, "city")), "coordinator");
	assert_string_equal(h_json_str(h_json_get(j, "role")), "coordinator");
	assert_int_equal(h_json_u64(h_json_get(j, "proto")), UCCN_PROTO_VERSION);
	assert_int_equal(h_json_u64(h_json_get(j, "cities")), 1);
	assert_int_equal(h_json_u64(h_json_get(j, "posts")), 0);
	h_json_destroy(&j);
}

/* Two Cities of Literature register, post with their own keys, and the
 * list shows them newest first with the true author; filters and paging. */
static void test_cities_post_and_list(void **state)
{
	struct fx *f = *state;
	uint64_t s[6];
	populate(f, s);

	/* keygen never overwrites a key. */
	size_t before_len = 0, after_len = 0;
	char *before = h_read_file(krakow.key, &before_len);
	h_uccn(&f->r, NULL, NULL, NULL, "keygen", "-o", krakow.key, NULL);
	h_assert_exit(&f->r, 1);
	assert_message(&f->r);
	char *after = h_read_file(krakow.key, &after_len);
	assert_non_null(before);
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* The cities as registered. */
	h_json_t *j = run_json(f, krakow.key, "city", "list", NULL);
	assert_int_equal(h_json_len(j), 3);
	const h_json_t *c = find_city(j, "krakow");
	assert_non_null(c);
	assert_string_equal(h_json_str(h_json_get(c, "name")), "Kraków");
	assert_string_equal(h_json_str(h_json_get(c, "country")), "Poland");
	assert_string_equal(h_json_str(h_json_get(c, "tz")), "Europe/Warsaw");
	assert_string_equal(h_json_str(h_json_get(c, "field")), "literature");
	assert_string_equal(h_json_str(h_json_get(c, "role")), "member");
	assert_string_equal(h_json_str(h_json_get(c, "key")), krakow.pub);
	assert_int_equal(h_json_u64(h_json_get(c, "year")), 2013);
	c = find_city(j, "nottingham");
	assert_non_null(c);
	assert_string_equal(h_json_str(h_json_get(c, "country")), "United Kingdom");
	assert_string_equal(h_json_str(h_json_get(c, "key")), nottingham.pub);
	h_json_destroy(&j);

	/* The server knows who is calling from the key alone. */
	j = run_json(f, nottingham.key, "status", NULL);
	assert_string_equal(h_json_str(h_json_get(j, "city")), "nottingham");
	assert_string_equal(h_json_str(h_json_get(j, "role")), "member");
	assert_int_equal(h_json_u64(h_json_get(j, "posts")), 6);
	assert_int_equal(h_json_u64(h_json_get(j, "last_seq")), s[5]);
	h_json_destroy(&j);

	/* Everything, newest first, each post with its author and text. */
	j = run_json(f, f->d->coordinator_key, "list", NULL);
	uint64_t all[6] = {s[5], s[4], s[3], s[2], s[1], s[0]};
	assert_seqs(j, all, 6);
	for (int i = 0; i < 6; i++) {
		const h_json_t *p = h_json_at(j, (size_t)(5 - i));
		assert_string_equal(h_json_str(h_json_get(p, "city")),
				    i % 2 ? "nottingham" : "krakow");
		assert_string_equal(h_json_str(h_json_get(p, "kind")), post_kind[i]);
		assert_string_equal(h_json_str(h_json_get(p, "body")), post_body[i]);
		const char *created = h_json_str(h_json_get(p, "created"));
		assert_non_null(created);
		assert_int_equal(strlen(created) >= 20, 1);
		assert_int_equal(created[4], '-');
		assert_int_equal(created[10], 'T');
		assert_int_equal(created[strlen(created) - 1], 'Z');
		assert_true(h_json_is_null(h_json_get(p, "key")));
	}
	h_json_destroy(&j);

	/* --city and --kind filter. */
	j = run_json(f, krakow.key, "list", "--city", "krakow", NULL);
	uint64_t kr[3] = {s[4], s[2], s[0]};
	assert_seqs(j, kr, 3);
	h_json_destroy(&j);
	j = run_json(f, krakow.key, "list", "--kind", "news", NULL);
	uint64_t news[2] = {s[4], s[1]};
	assert_seqs(j, news, 2);
	h_json_destroy(&j);
	j = run_json(f, krakow.key, "list", "--city", "nottingham", "--kind", "update", NULL);
	uint64_t nu[1] = {s[3]};
	assert_seqs(j, nu, 1);
	h_json_destroy(&j);

	/* Paging: --limit, then --before the last seq seen, without overlap. */
	j = run_json(f, krakow.key, "list", "--limit", "4", NULL);
	assert_seqs(j, all, 4);
	char last[32];
	snprintf(last, sizeof last, "%llu",
		 (unsigned long long)h_json_u64(h_json_get(h_json_at(j, 3), "seq")));
	h_json_destroy(&j);
	j = run_json(f, krakow.key, "list", "--limit", "4", "--before", last, NULL);
	assert_seqs(j, all + 4, 2);
	h_json_destroy(&j);
	/* --since is exclusive too. */
	snprintf(last, sizeof last, "%llu", (unsigned long long)s[3]);
	j = run_json(f, krakow.key, "list", "--since", last, NULL);
	assert_seqs(j, all, 2);
	h_json_destroy(&j);

	/* show, and the human form of list. */
	snprintf(last, sizeof last, "%llu", (unsigned long long)s[2]);
	j = run_json(f, nottingham.key, "show", last, NULL);
	assert_int_equal(h_json_u64(h_json_get(j, "seq")), s[2]);
	assert_string_equal(h_json_str(h_json_get(j, "city")), "krakow");
	assert_string_equal(h_json_str(h_json_get(j, "body")), post_body[2]);
	h_json_destroy(&j);
	h_uccn(&f->r, f->d, krakow.key, NULL, "list", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "nottingham"));
}

/* SIGTERM exits 0; after a restart the list is byte for byte the same. */
static void test_restart_same_list(void **state)
{
	struct fx *f = *state;
	uint64_t s[6];
	populate(f, s);
	h_json_t *j = run_json(f, krakow.key, "list", NULL);
	h_json_destroy(&j);
	char *list1 = strdup(f->r.out);
	j = run_json(f, krakow.key, "city", "list", NULL);
	h_json_destroy(&j);
	char *cities1 = strdup(f->r.out);

	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(h_daemon_start(f->d), 0);

	j = run_json(f, krakow.key, "list", NULL);
	h_json_destroy(&j);
	assert_string_equal(f->r.out, list1);
	j = run_json(f, krakow.key, "city", "list", NULL);
	h_json_destroy(&j);
	assert_string_equal(f->r.out, cities1);
	/* The sequence carries on. */
	assert_true(post(f, nottingham.key, "update", "after the restart") > s[5]);
	free(list1);
	free(cities1);
}

/* A post acknowledged just before kill -9 is there after the restart. */
static void test_kill9_keeps_acknowledged(void **state)
{
	struct fx *f = *state;
	add_city(f, &krakow);
	uint64_t seqs[8];
	char bodies[8][64];
	for (int round = 0; round < 2; round++) {
		for (int i = round * 4; i < round * 4 + 4; i++) {
			snprintf(bodies[i], sizeof bodies[i], "acknowledged post %d", i);
			seqs[i] = post(f, krakow.key, "update", bodies[i]);
		}
		h_daemon_kill(f->d);
		assert_int_equal(h_daemon_start(f->d), 0);
		for (int i = 0; i < round * 4 + 4; i++) {
			char seq[32];
			snprintf(seq, sizeof seq, "%llu", (unsigned long long)seqs[i]);
			h_json_t *j = run_json(f, krakow.key, "show", seq, NULL);
			assert_int_equal(h_json_u64(h_json_get(j, "seq")), seqs[i]);
			assert_string_equal(h_json_str(h_json_get(j, "body")), bodies[i]);
			assert_string_equal(h_json_str(h_json_get(j, "city")), "krakow");
			h_json_destroy(&j);
		}
	}
}

/* The same --key-id twice stores one post. */
static void test_idempotency_key(void **state)
{
	struct fx *f = *state;
	add_city(f, &krakow);
	const char *idem = "krakow-2026-11-25-residency";
	h_json_t *j = run_json(f, krakow.key, "post", "--key-id", idem,
			       "Residency call, sent once.", NULL);
	uint64_t seq = h_json_u64(h_json_get(j, "seq"));
	assert_true(seq > 0);
	assert_int_equal(h_json_type(h_json_get(j, "duplicate")), H_JSON_BOOL);
	assert_false(h_json_bool(h_json_get(j, "duplicate")));
	assert_non_null(h_json_str(h_json_get(j, "created")));
	h_json_destroy(&j);

	/* A retry: the first seq, marked duplicate. */
	j = run_json(f, krakow.key, "post", "--key-id", idem,
		     "Residency call, sent once.", NULL);
	assert_int_equal(h_json_u64(h_json_get(j, "seq")), seq);
	assert_true(h_json_bool(h_json_get(j, "duplicate")));
	h_json_destroy(&j);

	j = run_json(f, krakow.key, "list", NULL);
	assert_seqs(j, &seq, 1);
	assert_string_equal(h_json_str(h_json_get(h_json_at(j, 0), "key")), idem);
	h_json_destroy(&j);

	/* The key is stored: a retry after a restart is still a duplicate. */
	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(h_daemon_start(f->d), 0);
	j = run_json(f, krakow.key, "post", "--key-id", idem,
		     "Residency call, sent once.", NULL);
	assert_int_equal(h_json_u64(h_json_get(j, "seq")), seq);
	assert_true(h_json_bool(h_json_get(j, "duplicate")));
	h_json_destroy(&j);

	/* Another key is another post. */
	j = run_json(f, krakow.key, "post", "--key-id", "krakow-2", "Second.", NULL);
	assert_true(h_json_u64(h_json_get(j, "seq")) > seq);
	assert_false(h_json_bool(h_json_get(j, "duplicate")));
	h_json_destroy(&j);
}

/* A key nobody registered is refused, and the daemon carries on. */
static void test_unregistered_key(void **state)
{
	struct fx *f = *state;
	char key[PATH_MAX + 32], pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(key, sizeof key, "%s/stranger.key", f->dir);
	assert_int_equal(h_keygen(key, pub), 0);

	h_uccn(&f->r, f->d, key, NULL, "--timeout", "5", "status", NULL);
	if (f->r.status != 4 && f->r.status != 5)
		h_run_print(&f->r);
	assert_true(f->r.status == 4 || f->r.status == 5);
	assert_message(&f->r);
	if (f->r.status != 4)
		fprintf(stderr, "note: status with an unregistered key exited %d, not 4\n",
			f->r.status);

	h_uccn(&f->r, f->d, key, NULL, "--timeout", "5", "post", "let me in", NULL);
	if (f->r.status != 4 && f->r.status != 5)
		h_run_print(&f->r);
	assert_true(f->r.status == 4 || f->r.status == 5);
	assert_message(&f->r);

	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = run_json(f, f->d->coordinator_key, "list", NULL);
	assert_int_equal(h_json_len(j), 0);
	h_json_destroy(&j);
	assert_true(h_daemon_running(f->d));
}

/* Only the coordinator registers cities. */
static void test_member_cannot_add_city(void **state)
{
	struct fx *f = *state;
	add_city(f, &krakow);
	char key[PATH_MAX + 32], pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(key, sizeof key, "%s/lyon.key", f->dir);
	assert_int_equal(h_keygen(key, pub), 0);
	h_uccn(&f->r, f->d, krakow.key, NULL, "city", "add", "lyon", "--name", "Lyon",
	       "--field", "literature", "--key", pub, NULL);
	h_assert_exit(&f->r, 4);
	assert_message(&f->r);
	h_json_t *j = run_json(f, f->d->coordinator_key, "city", "list", NULL);
	assert_null(find_city(j, "lyon"));
	assert_int_equal(h_json_len(j), 2);
	h_json_destroy(&j);
}

/* Usage errors exit 2, a missing post 3, an oversized body 1 or 2. */
static void test_usage_errors(void **state)
{
	struct fx *f = *state;
	const char *key = f->d->coordinator_key;
	static const char *const cases[][5] = {
		{"frobnicate"},
		{"post"},
		{"list", "--limit", "abc"},
		{"list", "--kind", "nonsense"},
		{"post", "--kind", "nonsense", "hello"},
		{"post", "--minutes", "many", "hello"},
		{"show", "abc"},
	};
	h_uccn(&f->r, f->d, key, NULL, NULL);
	h_assert_exit(&f->r, 2);
	assert_message(&f->r);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		h_uccnv(&f->r, f->d, key, NULL, (char *const *)cases[i]);
		h_assert_exit(&f->r, 2);
		assert_message(&f->r);
	}

	h_uccn(&f->r, f->d, key, NULL, "show", "999999", NULL);
	h_assert_exit(&f->r, 3);
	assert_message(&f->r);

	/* A body at the limit is stored whole; one byte more is refused. */
	char *body = malloc(UCCN_MAX_BODY + 2);
	assert_non_null(body);
	memset(body, 'a', UCCN_MAX_BODY + 1);
	body[UCCN_MAX_BODY + 1] = '\0';
	h_uccn(&f->r, f->d, key, body, "post", "-", NULL);
	if (f->r.status != 1 && f->r.status != 2)
		h_run_print(&f->r);
	assert_true(f->r.status == 1 || f->r.status == 2);
	assert_message(&f->r);
	assert_non_null(strcasestr(f->r.err, "body"));

	body[UCCN_MAX_BODY] = '\0';
	h_uccn(&f->r, f->d, key, body, "post", "-", NULL);
	h_assert_exit(&f->r, 0);
	uint64_t seq = seq_line(&f->r);
	h_json_t *j = run_json(f, key, "list", NULL);
	assert_seqs(j, &seq, 1);
	const char *got = h_json_str(h_json_get(h_json_at(j, 0), "body"));
	assert_non_null(got);
	assert_int_equal(strlen(got), UCCN_MAX_BODY);
	h_json_destroy(&j);
	free(body);

	/* An unknown option is a usage error with the usual message. */
	h_uccn(&f->r, f->d, key, NULL, "list", "--no-such-option", NULL);
	h_assert_exit(&f->r, 2);
	assert_message(&f->r);
}

/* With no daemon, --timeout 1 gives up in about a second with exit 5. */
static void test_unreachable_times_out(void **state)
{
	struct fx *f = *state;
	assert_int_equal(h_daemon_stop(f->d), 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--timeout", "1", "status", NULL);
	h_assert_exit(&f->r, 5);
	assert_message(&f->r);
	fprintf(stderr, "note: `uccn --timeout 1 status` gave up after %lld ms\n",
		(long long)f->r.elapsed_ms);
	assert_true(f->r.elapsed_ms < 3000);

	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--timeout", "1", "post",
	       "into the void", NULL);
	h_assert_exit(&f->r, 5);
	assert_message(&f->r);
	assert_true(f->r.elapsed_ms < 3000);
}

/* --help is not an error. */
static void test_help(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, NULL, NULL, NULL, "--help", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strcasestr(f->r.out, "usage"));
	assert_non_null(strstr(f->r.out, "post"));

	h_uccn(&f->r, NULL, NULL, NULL, "post", "--help", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strcasestr(f->r.out, "usage"));
	assert_non_null(strstr(f->r.out, "--kind"));

	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/uccnd", h_bin_dir());
	char *help[] = {path, "--help", NULL};
	h_run(&f->r, help, NULL, 10000);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "--data"));
	char *version[] = {path, "--version", NULL};
	h_run(&f->r, version, NULL, 10000);
	h_assert_exit(&f->r, 0);
	assert_true(f->r.out_len > 0);
}

/* UCCN_ENDPOINT, UCCN_SERVER_KEY and UCCN_KEY stand in for the options;
 * an option given wins over its variable. */
static void test_env_fallbacks(void **state)
{
	struct fx *f = *state;
	add_city(f, &krakow);
	char uccn[PATH_MAX], ep[128], sk[PATH_MAX + 32], key[PATH_MAX + 32];
	snprintf(uccn, sizeof uccn, "%s/uccn", h_bin_dir());
	snprintf(ep, sizeof ep, "UCCN_ENDPOINT=%s", f->d->endpoint);
	snprintf(sk, sizeof sk, "UCCN_SERVER_KEY=%s", f->d->server_pub);
	snprintf(key, sizeof key, "UCCN_KEY=%s", krakow.key);
	char *by_env[] = {"/usr/bin/env", ep, sk, key, uccn, "--json", "status", NULL};
	h_run(&f->r, by_env, NULL, H_UCCN_TIMEOUT_MS);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_string_equal(h_json_str(h_json_get(j, "city")), "krakow");
	h_json_destroy(&j);

	char *option_wins[] = {"/usr/bin/env", ep, sk, key, uccn, "--key",
			       f->d->coordinator_key, "--json", "status", NULL};
	h_run(&f->r, option_wins, NULL, H_UCCN_TIMEOUT_MS);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_string_equal(h_json_str(h_json_get(j, "city")), "coordinator");
	h_json_destroy(&j);
}

/* A second uccnd on the same data directory refuses to start. */
static void test_second_daemon_refused(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX], ep[64];
	snprintf(path, sizeof path, "%s/uccnd", h_bin_dir());
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", h_free_port());
	char *argv[] = {path, "--data", f->dir, "--listen", ep, NULL};
	h_run(&f->r, argv, NULL, 10000);
	h_assert_exit(&f->r, 1);
	assert_true(f->r.err_len > 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
}

/* ---- a raw DEALER, for load the CLI cannot make ---- */

static void dealer_send(void *sock, const struct uccn_request *req)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(req, &b), 0);
	assert_int_equal(zmq_send(sock, b.data, b.size, 0), (int)b.size);
	msgpack_sbuffer_destroy(&b);
}

static void dealer_post(void *sock, uint64_t rid, const char *body)
{
	struct uccn_request req = {.op = UCCN_OP_POST, .rid = rid};
	req.post.kind = "update";
	req.post.body = (char *)body;
	dealer_send(sock, &req);
}

/* Receive and decode the reply to op; fails the test if none comes. */
static void dealer_reply(void *sock, enum uccn_op op, struct uccn_reply *rep)
{
	zmq_msg_t m;
	char err[256];
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	assert_int_equal(uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), op, rep, err,
					   sizeof err), 0);
	zmq_msg_close(&m);
}

/* A write is authorized again when it is applied. A coordinator sends two
 * requests back to back on one connection: demote itself to member, then
 * add a city. Both may pass the check made when they are read, before the
 * first is committed; the second must still be refused, since by the time
 * it is applied its author is a member. */
static void test_demoted_between_check_and_commit(void **state)
{
	struct fx *f = *state;
	char keyfile[PATH_MAX], pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(keyfile, sizeof keyfile, "%s/boss.key", f->dir);
	assert_int_equal(h_keygen(keyfile, pub), 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "city", "add", "boss", "--name", "Boss",
	       "--field", "literature", "--role", "coordinator", "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
	void *ctx = zmq_ctx_new();
	void *sock = h_dealer_new(ctx, f->d, keyfile);
	assert_non_null(sock);
	struct uccn_request demote = {.op = UCCN_OP_CITY_UPDATE, .rid = 1, .if_version = 1};
	demote.city = (struct uccn_city){.id = "boss", .name = "Boss", .field = "literature",
					 .role = "member"};
	struct uccn_request add = {.op = UCCN_OP_CITY_ADD, .rid = 2};
	add.city = (struct uccn_city){.id = "sneaky", .name = "Sneaky", .field = "literature",
				      .role = "member"};
	dealer_send(sock, &demote);
	dealer_send(sock, &add);
	struct uccn_reply r1, r2;
	dealer_reply(sock, UCCN_OP_CITY_UPDATE, &r1);
	dealer_reply(sock, UCCN_OP_CITY_ADD, &r2);
	assert_int_equal(r1.rid, 1);
	assert_int_equal(r1.status, 0);
	assert_int_equal(r2.rid, 2);
	assert_int_equal(r2.status, UCCN_E_DENIED);
	uccn_reply_clear(&r1);
	uccn_reply_clear(&r2);
	zmq_close(sock);
	h_ctx_term(ctx);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "city", "show", "sneaky", NULL);
	h_assert_exit(&f->r, 3);
}

static size_t count_in(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; p && (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* The calls of one command share one connection: `city update` reads the
 * city, then writes it, over a single CURVE handshake. */
static void test_one_handshake_per_command(void **state)
{
	(void)state;
	char *dir = h_tmpdir_new();
	h_daemon_t *d = dir ? h_daemon_new(dir) : NULL;
	assert_non_null(d);
	assert_int_equal(h_daemon_start_with(d, "-v", NULL), 0); /* logs each handshake */
	size_t len;
	char *log = h_read_file(d->log, &len);
	size_t before = count_in(log, "city 'coordinator' connected");
	free(log);
	h_run_t r = {0};
	h_uccn(&r, d, d->coordinator_key, NULL, "city", "update", "coordinator", "--if-version",
	       "1", "--tz", "Europe/Paris", NULL);
	h_assert_exit(&r, 0);
	h_run_clear(&r);
	log = h_read_file(d->log, &len);
	assert_int_equal(count_in(log, "city 'coordinator' connected"), before + 1);
	free(log);
	h_daemon_down(&dir, &d);
}

/* An acknowledgement means durable, with the commit pipeline full: 16
 * cities post as fast as they are answered, uccnd is killed (SIGKILL) in
 * the middle, and after a restart every acknowledged post is there with
 * its own body. */
#define KILL_WRITERS 16
static void test_kill9_under_load_keeps_every_ack(void **state)
{
	struct fx *f = *state;
	static char keys[KILL_WRITERS][PATH_MAX];
	void *socks[KILL_WRITERS];
	zmq_pollitem_t items[KILL_WRITERS];
	void *ctx = zmq_ctx_new();
	for (int i = 0; i < KILL_WRITERS; i++) {
		char id[16];
		snprintf(id, sizeof id, "loader-%02d", i);
		assert_int_equal(h_city_register(f->d, id, id, keys[i]), 0);
		assert_non_null(socks[i] = h_dealer_new(ctx, f->d, keys[i]));
		items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
	}
	enum { MAX_ACKED = 200000 };
	struct acked { uint64_t seq; uint32_t writer, n; } *acked = calloc(MAX_ACKED, sizeof *acked);
	assert_non_null(acked);
	size_t nacked = 0;
	uint32_t sent[KILL_WRITERS] = {0};
	char body[128];
	for (int i = 0; i < KILL_WRITERS; i++) {
		snprintf(body, sizeof body, "writer %02d post %u", i, ++sent[i]);
		dealer_post(socks[i], sent[i], body);
	}
	int64_t kill_at = h_now_ms() + 1500;
	while (h_now_ms() < kill_at && nacked < MAX_ACKED - KILL_WRITERS) {
		if (zmq_poll(items, KILL_WRITERS, 100) <= 0)
			continue;
		for (int i = 0; i < KILL_WRITERS; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			struct uccn_reply rep;
			dealer_reply(socks[i], UCCN_OP_POST, &rep);
			assert_int_equal(rep.status, 0);
			assert_int_equal(rep.rid, sent[i]);
			acked[nacked++] = (struct acked){rep.seq, (uint32_t)i, sent[i]};
			uccn_reply_clear(&rep);
			snprintf(body, sizeof body, "writer %02d post %u", i, ++sent[i]);
			dealer_post(socks[i], sent[i], body);
		}
	}
	/* Killed with 16 posts in flight: some may have been committed, none
	 * of them was acknowledged. */
	h_daemon_kill(f->d);
	for (int i = 0; i < KILL_WRITERS; i++)
		zmq_close(socks[i]);
	assert_true(nacked > 100);
	assert_int_equal(h_daemon_start(f->d), 0);

	/* Every acknowledged post, by its number, with its own body. */
	void *reader = h_dealer_new(ctx, f->d, f->d->coordinator_key);
	assert_non_null(reader);
	uint64_t max_seq = 0;
	for (size_t k = 0; k < nacked; k++) {
		struct uccn_request req = {.op = UCCN_OP_SHOW, .rid = k + 1, .seq = acked[k].seq};
		dealer_send(reader, &req);
		struct uccn_reply rep;
		dealer_reply(reader, UCCN_OP_SHOW, &rep);
		if (rep.status != 0 || rep.nposts != 1)
			fail_msg("acknowledged post %llu is missing after kill -9",
				 (unsigned long long)acked[k].seq);
		snprintf(body, sizeof body, "writer %02u post %u", acked[k].writer, acked[k].n);
		assert_string_equal(rep.posts[0].body, body);
		if (acked[k].seq > max_seq)
			max_seq = acked[k].seq;
		uccn_reply_clear(&rep);
	}
	zmq_close(reader);
	h_ctx_term(ctx);
	free(acked);
	/* Besides them, at most the 16 that were in flight when it died. */
	h_json_t *j = run_json(f, f->d->coordinator_key, "status", NULL);
	uint64_t posts = h_json_u64(h_json_get(j, "posts"));
	assert_true(posts >= nacked && posts <= nacked + KILL_WRITERS);
	assert_true(h_json_u64(h_json_get(j, "last_seq")) >= max_seq);
	h_json_destroy(&j);
}

/* One city alone, then sixteen at once, post into a daemon whose map
 * starts at 256 KiB: the lone writes fill it on the loop's thread, the
 * commit thread's batches fill it again and again; each time the daemon
 * grows it between events and commits again. Every post is
 * acknowledged once, with its own number, and all of them are there after
 * a restart. */
#define GROW_WRITERS 16
#define GROW_ROUNDS 25
#define GROW_ALONE 100
static void test_writers_while_the_map_grows(void **state)
{
	(void)state;
	char *dir = h_tmpdir_new();
	h_daemon_t *d = dir ? h_daemon_new(dir) : NULL;
	assert_non_null(d);
	assert_int_equal(h_daemon_start_with(d, "--map-size", "256K"), 0);
	static char keys[GROW_WRITERS][PATH_MAX];
	void *socks[GROW_WRITERS];
	void *ctx = zmq_ctx_new();
	for (int i = 0; i < GROW_WRITERS; i++) {
		char id[16];
		snprintf(id, sizeof id, "writer-%02d", i);
		assert_int_equal(h_city_register(d, id, id, keys[i]), 0);
		assert_non_null(socks[i] = h_dealer_new(ctx, d, keys[i]));
		int timeout = 20000;
		zmq_setsockopt(socks[i], ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	}
	static uint64_t seqs[GROW_WRITERS * GROW_ROUNDS + GROW_ALONE];
	size_t nseqs = 0;
	char body[3001];
	/* First one writer alone: each write is committed on the loop's own
	 * thread, and the map grows there. */
	for (int k = 0; k < GROW_ALONE; k++) {
		memset(body, 'z', sizeof body - 1);
		body[sizeof body - 1] = '\0';
		snprintf(body, 32, "alone %03d", k);
		body[strlen(body)] = ' ';
		dealer_post(socks[0], 1000 + (uint64_t)k, body);
		struct uccn_reply rep;
		dealer_reply(socks[0], UCCN_OP_POST, &rep);
		if (rep.status)
			fail_msg("alone %d: %s", k, rep.message);
		seqs[nseqs++] = rep.seq;
		uccn_reply_clear(&rep);
	}
	for (int round = 0; round < GROW_ROUNDS; round++) {
		for (int i = 0; i < GROW_WRITERS; i++) {
			memset(body, 'a' + (round + i) % 26, sizeof body - 1);
			body[sizeof body - 1] = '\0';
			snprintf(body, 32, "round %02d writer %02d", round, i);
			body[strlen(body)] = ' ';
			dealer_post(socks[i], (uint64_t)round + 1, body);
		}
		for (int i = 0; i < GROW_WRITERS; i++) {
			struct uccn_reply rep;
			dealer_reply(socks[i], UCCN_OP_POST, &rep);
			if (rep.status)
				fail_msg("round %d writer %d: %s", round, i, rep.message);
			assert_int_equal(rep.rid, (uint64_t)round + 1);
			for (size_t k = 0; k < nseqs; k++)
				assert_int_not_equal(seqs[k], rep.seq);
			seqs[nseqs++] = rep.seq;
			uccn_reply_clear(&rep);
		}
	}
	for (int i = 0; i < GROW_WRITERS; i++)
		zmq_close(socks[i]);
	h_ctx_term(ctx);
	size_t loglen = 0;
	char *log = h_read_file(d->log, &loglen);
	assert_non_null(log);
	assert_non_null(strstr(log, "the database map grew; committing the write again"));
	assert_non_null(strstr(log, "the database map grew; committing the batch again"));
	free(log);

	/* All of them, after a clean stop and a start. */
	assert_int_equal(h_daemon_stop(d), 0);
	assert_int_equal(h_daemon_start(d), 0);
	h_run_t r = {0};
	h_uccn(&r, d, d->coordinator_key, NULL, "--json", "status", NULL);
	h_assert_exit(&r, 0);
	h_json_t *j = h_json_parse(r.out);
	assert_int_equal(h_json_u64(h_json_get(j, "posts")), GROW_WRITERS * GROW_ROUNDS + GROW_ALONE);
	h_json_destroy(&j);
	char seq[32];
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)seqs[nseqs - 1]);
	h_uccn(&r, d, d->coordinator_key, NULL, "show", seq, NULL);
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "round 24 writer 15"));
	h_run_clear(&r);
	h_daemon_down(&dir, &d);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_first_start),
		T(test_cities_post_and_list),
		T(test_restart_same_list),
		T(test_kill9_keeps_acknowledged),
		T(test_idempotency_key),
		T(test_unregistered_key),
		T(test_member_cannot_add_city),
		T(test_usage_errors),
		T(test_unreachable_times_out),
		T(test_help),
		T(test_env_fallbacks),
		T(test_second_daemon_refused),
		T(test_kill9_under_load_keeps_every_ack),
		T(test_demoted_between_check_and_commit),
		cmocka_unit_test(test_one_handshake_per_command),
		cmocka_unit_test(test_writers_while_the_map_grows),
	};
	return cmocka_run_group_tests_name("e2e_core", tests, NULL, NULL);
}
