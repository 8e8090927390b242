/*
 * test_records.c - end-to-end: the network's records. Creative fields as
 * data, the bulk import of the real member list, versions that refuse a
 * stale update, a rekey that locks the old key out, who may do what, and
 * long lists that come back whole.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"
#include "uccn_records.h"

#define CITIES_CSV "examples/data/uccn-cities.csv"

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char member_key[PATH_MAX];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "nottingham", "Nottingham", f->member_key) != 0) {
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

/* Run uccn as the coordinator (key NULL) or another key; return the exit. */
#define COORD(f) ((f)->d->coordinator_key)

static size_t city_count(struct fx *f)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "list", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	size_t n = h_json_len(j);
	h_json_destroy(&j);
	return n;
}

static const h_json_t *find_city(const h_json_t *list, const char *id)
{
	for (size_t i = 0; i < h_json_len(list); i++) {
		const h_json_t *c = h_json_at(list, i);
		if (strcmp(h_json_str(h_json_get(c, "id")), id) == 0)
			return c;
	}
	return NULL;
}

static void test_import_real_cities(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "import", "cities", CITIES_CSV, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *res = h_json_parse(f->r.out);
	assert_non_null(res);
	/* Nottingham was registered before (with a key): the file updates it
	 * and adds the other 349. */
	assert_int_equal(h_json_u64(h_json_get(res, "added")), 349);
	assert_int_equal(h_json_u64(h_json_get(res, "updated")), 1);
	h_json_destroy(&res);

	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "list", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *list = h_json_parse(f->r.out);
	assert_non_null(list);
	const h_json_t *k = find_city(list, "krakow");
	assert_non_null(k);
	assert_string_equal(h_json_str(h_json_get(k, "name")), "Kraków");
	assert_string_equal(h_json_str(h_json_get(k, "country")), "Poland");
	assert_string_equal(h_json_str(h_json_get(k, "field")), "literature");
	assert_string_equal(h_json_str(h_json_get(k, "tz")), "Europe/Warsaw");
	assert_string_equal(h_json_str(h_json_get(k, "role")), "member");
	assert_true(strstr(f->r.out, "\"lat\":50.0614,\"lon\":19.9366") != NULL);
	assert_non_null(find_city(list, "granada-literature"));
	assert_non_null(find_city(list, "granada-design"));
	assert_non_null(find_city(list, "lodz"));
	size_t total = h_json_len(list);
	assert_int_equal(total, 351); /* the 350, and the coordinator */
	/* The update kept Nottingham's key: it still signs in. */
	const h_json_t *n = find_city(list, "nottingham");
	assert_non_null(n);
	assert_false(h_json_is_null(h_json_get(n, "key")));
	h_json_destroy(&list);
	h_uccn(&f->r, f->d, f->member_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);

	/* Filters: Poland's cities, and the film cities of the United Kingdom. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "list", "--country", "poland", NULL);
	h_assert_exit(&f->r, 0);
	list = h_json_parse(f->r.out);
	assert_non_null(list);
	assert_true(h_json_len(list) >= 3);
	for (size_t i = 0; i < h_json_len(list); i++)
		assert_string_equal(h_json_str(h_json_get(h_json_at(list, i), "country")), "Poland");
	assert_non_null(find_city(list, "lodz"));
	h_json_destroy(&list);
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "list", "--field", "film",
	       "--country", "United Kingdom", NULL);
	h_assert_exit(&f->r, 0);
	list = h_json_parse(f->r.out);
	assert_non_null(list);
	assert_non_null(find_city(list, "bradford"));
	for (size_t i = 0; i < h_json_len(list); i++)
		assert_string_equal(h_json_str(h_json_get(h_json_at(list, i), "field")), "film");
	h_json_destroy(&list);

	/* A second run changes nothing, and says so. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "import", "cities", CITIES_CSV, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "nothing to change"));
	assert_int_equal(city_count(f), total);
}

static void test_import_bad_field_names_line(void **state)
{
	struct fx *f = *state;
	size_t len = 0;
	char *text = h_read_file(CITIES_CSV, &len);
	assert_non_null(text);
	/* Line 5 is the fourth city; change its field to one that does not exist. */
	char *line = text;
	for (int i = 1; i < 5; i++)
		line = strchr(line, '\n') + 1;
	char *c1 = strchr(line, ','), *c2 = strchr(c1 + 1, ','), *c3 = strchr(c2 + 1, ',');
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/bad.csv", f->dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fwrite(text, 1, (size_t)(c2 + 1 - text), out);
	fputs("sculpture", out);
	fwrite(c3, 1, len - (size_t)(c3 - text), out);
	fclose(out);
	free(text);

	size_t before = city_count(f);
	h_uccn(&f->r, f->d, COORD(f), NULL, "import", "cities", path, NULL);
	assert_int_not_equal(f->r.status, 0);
	assert_non_null(strstr(f->r.err, "line 5"));
	assert_non_null(strstr(f->r.err, "sculpture"));
	assert_int_equal(city_count(f), before);
}

static void test_fields_are_data(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "field", "list", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "architecture\n"));
	assert_null(strstr(f->r.out, "comics\n"));
	/* A member cannot add a field; the coordinator can, without a rebuild. */
	h_uccn(&f->r, f->d, f->member_key, NULL, "field", "add", "comics", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, COORD(f), NULL, "field", "add", "comics", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "field", "add", "comics", NULL);
	h_assert_exit(&f->r, 6);
	h_uccn(&f->r, f->d, COORD(f), NULL, "field", "list", NULL);
	assert_non_null(strstr(f->r.out, "comics\n"));
	/* A city in a field that does not exist is refused, naming it. */
	char key[UCCN_KEY_Z85_LEN + 1], path[PATH_MAX];
	snprintf(path, sizeof path, "%s/x.key", f->dir);
	assert_int_equal(h_keygen(path, key), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "add", "x", "--name", "X",
	       "--field", "sculpture", "--key", key, NULL);
	h_assert_exit(&f->r, 3);
	assert_non_null(strstr(f->r.err, "sculpture"));
	/* A member cannot add a city either, nor can a field's deputy. */
	h_uccn(&f->r, f->d, f->member_key, NULL, "city", "add", "x", "--name", "X",
	       "--field", "literature", "--key", key, NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "add", "x", "--name", "X",
	       "--field", "literature", "--role", "deputy", "--key", key, NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, path, NULL, "field", "add", "puppetry", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, path, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"role\":\"deputy\""));
	/* A city that does not exist. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "show", "atlantis", NULL);
	h_assert_exit(&f->r, 3);
	assert_non_null(strstr(f->r.err, "atlantis"));
}

static void test_versions_refuse_stale_update(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "show", "nottingham", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_int_equal(h_json_type(j), H_JSON_OBJECT); /* show gives one object */
	uint64_t v = h_json_u64(h_json_get(j, "version"));
	h_json_destroy(&j);
	assert_int_equal(v, 1);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "nottingham", "--if-version", "1",
	       "--tz", "Europe/London", "--year", "2015", NULL);
	h_assert_exit(&f->r, 0);
	/* The same stale version again: a conflict that names the current one. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "nottingham", "--if-version", "1",
	       "--country", "France", NULL);
	h_assert_exit(&f->r, 6);
	assert_non_null(strstr(f->r.err, "version 2"));
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "show", "nottingham", NULL);
	j = h_json_parse(f->r.out);
	assert_non_null(j);
	const h_json_t *c = j;
	assert_int_equal(h_json_u64(h_json_get(c, "version")), 2);
	assert_string_equal(h_json_str(h_json_get(c, "tz")), "Europe/London");
	assert_int_equal(h_json_u64(h_json_get(c, "year")), 2015);
	assert_true(h_json_is_null(h_json_get(c, "country")));
	h_json_destroy(&j);
	/* A member may not update a city; a zone the database lacks is refused. */
	h_uccn(&f->r, f->d, f->member_key, NULL, "city", "update", "nottingham",
	       "--if-version", "2", "--name", "Notts", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "nottingham",
	       "--if-version", "2", "--tz", "Mars/Olympus_Mons", NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "Mars/Olympus_Mons"));
}

static void test_rekey_locks_out_old_key(void **state)
{
	struct fx *f = *state;
	char key[UCCN_KEY_Z85_LEN + 1], path[PATH_MAX];
	snprintf(path, sizeof path, "%s/nottingham-2.key", f->dir);
	assert_int_equal(h_keygen(path, key), 0);
	h_uccn(&f->r, f->d, f->member_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->member_key, NULL, "city", "rekey", "nottingham", "--key", key, NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "rekey", "nottingham", "--key", key, NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->member_key, NULL, "post", "from the old key", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, path, NULL, "--json", "post", "from the new key", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, path, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"city\":\"nottingham\""));
}

/* Ask for status on an open connection; the reply's status (0 or UCCN_E_*). */
static int status_on(void *sock, uint64_t rid)
{
	struct uccn_request req = {.op = UCCN_OP_STATUS, .rid = rid};
	struct uccn_reply rep;
	msgpack_sbuffer b;
	char err[256];
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(&req, &b), 0);
	assert_true(zmq_send(sock, b.data, b.size, 0) >= 0);
	msgpack_sbuffer_destroy(&b);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	assert_int_equal(zmq_poll(&it, 1, H_REPLY_MS), 1);
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	assert_int_equal(uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_STATUS,
					   &rep, err, sizeof err), 0);
	zmq_msg_close(&m);
	assert_int_equal(rep.rid, rid);
	int status = rep.status;
	uccn_reply_clear(&rep);
	return status;
}

/* A connection opened with the old key loses service the moment the
 * rekey commits, without reconnecting. */
static void test_rekey_cuts_live_connection(void **state)
{
	struct fx *f = *state;
	void *ctx = zmq_ctx_new();
	assert_non_null(ctx);
	void *sock = h_dealer_new(ctx, f->d, f->member_key);
	assert_non_null(sock);
	assert_int_equal(status_on(sock, 1), 0);
	char key[UCCN_KEY_Z85_LEN + 1], path[PATH_MAX];
	snprintf(path, sizeof path, "%s/nottingham-3.key", f->dir);
	assert_int_equal(h_keygen(path, key), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "rekey", "nottingham", "--key", key, NULL);
	h_assert_exit(&f->r, 0);
	assert_int_equal(status_on(sock, 2), UCCN_E_DENIED);
	zmq_close(sock);
	h_ctx_term(ctx);
}

/* Send req on an open connection; the reply's status (0 or UCCN_E_*). */
static int write_on(void *sock, const struct uccn_request *req)
{
	struct uccn_reply rep;
	msgpack_sbuffer b;
	char err[256];
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(req, &b), 0);
	assert_true(zmq_send(sock, b.data, b.size, 0) >= 0);
	msgpack_sbuffer_destroy(&b);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	assert_int_equal(zmq_poll(&it, 1, H_REPLY_MS), 1);
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	assert_int_equal(uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), req->op,
					   &rep, err, sizeof err), 0);
	zmq_msg_close(&m);
	assert_int_equal(rep.rid, req->rid);
	int status = rep.status;
	uccn_reply_clear(&rep);
	return status;
}

/* The ids of a --json list, in order, checked against "PREFIX-00" .. */
static void assert_list_holds(struct fx *f, const char *what, const char *prefix, int n)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", what, "list", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *list = h_json_parse(f->r.out);
	assert_non_null(list);
	int seen = 0;
	for (size_t i = 0; i < h_json_len(list); i++) {
		const h_json_t *e = h_json_at(list, i);
		const char *id = h_json_type(e) == H_JSON_STRING ? h_json_str(e)
			: h_json_str(h_json_get(e, "id"));
		char want[32];
		snprintf(want, sizeof want, "%s%02d", prefix, seen);
		if (id && strncmp(id, prefix, strlen(prefix)) == 0) {
			assert_string_equal(id, want);
			seen++;
		}
	}
	h_json_destroy(&list);
	assert_int_equal(seen, n);
}

/* Lists far longer than a reply's first allocation come back whole and in
 * order: fields, projects and meetings (cities: test_import_real_cities). */
static void test_long_lists_come_back_whole(void **state)
{
	struct fx *f = *state;
	enum { N = 70 };
	void *ctx = zmq_ctx_new();
	assert_non_null(ctx);
	void *sock = h_dealer_new(ctx, f->d, COORD(f));
	assert_non_null(sock);
	uint64_t rid = 1;
	char name[32], id[32];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "grown_%02d", i);
		struct uccn_request req = {.op = UCCN_OP_FIELD_ADD, .rid = rid++, .name = name};
		assert_int_equal(write_on(sock, &req), 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof id, "grown-%02d", i);
		struct uccn_request req = {.op = UCCN_OP_PROJECT_ADD, .rid = rid++};
		req.project.id = id;
		req.project.title = "A project among many";
		req.project.lead = "nottingham";
		assert_int_equal(write_on(sock, &req), 0);
	}
	char *hosts[] = {"nottingham"};
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof id, "grown-%02d", i);
		struct uccn_request req = {.op = UCCN_OP_MEETING_ADD, .rid = rid++};
		req.meeting.id = id;
		req.meeting.kind = "conference";
		req.meeting.hosts = (struct uccn_idlist){.v = hosts, .n = 1};
		req.meeting.tz = "Europe/London";
		req.meeting.start = "2026-05-04";
		req.meeting.end = "2026-05-05";
		assert_int_equal(write_on(sock, &req), 0);
	}
	zmq_close(sock);
	h_ctx_term(ctx);
	assert_list_holds(f, "field", "grown_", N);
	assert_list_holds(f, "project", "grown-", N);
	assert_list_holds(f, "meeting", "grown-", N);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_import_real_cities),
		T(test_import_bad_field_names_line),
		T(test_fields_are_data),
		T(test_versions_refuse_stale_update),
		T(test_rekey_locks_out_old_key),
		T(test_rekey_cuts_live_connection),
		T(test_long_lists_come_back_whole),
	};
	return cmocka_run_group_tests_name("e2e_records", tests, NULL, NULL);
}
