/*
 * test_authz.c - end-to-end: who may do what, through the real uccn with
 * each role's own key. Every row of the authorization table (proto/SPEC.md)
 * is tried once where it is allowed and once where it is not, and a refused
 * request must leave the records exactly as they were. Also the rules a
 * project or meeting must obey: references that exist, real dates, known
 * zones, versions that refuse a stale update.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <zmq.h>

/* ---- the cast: one city per role, each with its own key ---- */

enum who { COORD, SECRETARIAT, DEPUTY, FILM_DEPUTY, MEMBER, PARTNER, SPARE, STRANGER, N_WHO };

static const struct actor {
	const char *id, *name, *field, *role;
} cast[N_WHO] = {
	/* The daemon registers the coordinator on first start. */
	[COORD] = {"coordinator", "Network coordinator", "literature", "coordinator"},
	[SECRETARIAT] = {"secretariat", "UCCN Secretariat", "literature", "secretariat"},
	[DEPUTY] = {"tartu", "Tartu", "literature", "deputy"},
	[FILM_DEPUTY] = {"bradford", "Bradford", "film", "deputy"},
	[MEMBER] = {"granada", "Granada", "literature", "member"},
	[PARTNER] = {"norwich", "Norwich", "literature", "member"},
	/* A member the registry rows update and rekey. */
	[SPARE] = {"kuhmo", "Kuhmo", "literature", "member"},
	/* A key pair that belongs to no city. */
	[STRANGER] = {"stranger", NULL, NULL, NULL},
};

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char key[N_WHO][PATH_MAX];
	/* What @-placeholders in a command expand to (see expand()). */
	char version[24];
	char seq[24];
	char csv_path[PATH_MAX];
	char fresh_pub[UCCN_KEY_Z85_LEN + 1];
	int fresh_keys;
};

/* keygen, then `city add --role --field` as the coordinator. */
static int register_city(const h_daemon_t *d, const struct actor *a, char *keyfile)
{
	char pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(keyfile, PATH_MAX, "%s/%s.key", d->dir, a->id);
	if (h_keygen(keyfile, pub) != 0)
		return -1;
	if (!a->role) /* the stranger: a key, no city */
		return 0;
	h_run_t r = {0};
	int rc = h_uccn(&r, d, d->coordinator_key, NULL, "city", "add", a->id,
			"--name", a->name, "--field", a->field, "--role", a->role,
			"--key", pub, NULL);
	if (rc != 0)
		h_run_print(&r);
	h_run_clear(&r);
	return rc == 0 ? 0 : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0)
		goto fail;
	snprintf(f->key[COORD], PATH_MAX, "%s", f->d->coordinator_key);
	for (int w = COORD + 1; w < N_WHO; w++)
		if (register_city(f->d, &cast[w], f->key[w]) != 0)
			goto fail;
	*state = f;
	return 0;
fail:
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* ---- running uccn as someone ---- */

/* Arguments may hold placeholders, replaced just before the run:
 *   @V    the version the row's probe showed (for --if-version)
 *   @S    the seq of the fixture's first post
 *   @K    the public half of a fresh key pair
 *   @CSV  a file with the CSV header and the row's csv line */
static const char *expand(struct fx *f, const char *arg, const char *csv)
{
	if (strcmp(arg, "@V") == 0)
		return f->version;
	if (strcmp(arg, "@S") == 0)
		return f->seq;
	if (strcmp(arg, "@K") == 0) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/fresh-%d.key", f->dir, f->fresh_keys++);
		assert_int_equal(h_keygen(path, f->fresh_pub), 0);
		return f->fresh_pub;
	}
	if (strcmp(arg, "@CSV") == 0) {
		assert_non_null(csv);
		snprintf(f->csv_path, sizeof f->csv_path, "%s/import.csv", f->dir);
		FILE *out = fopen(f->csv_path, "w");
		assert_non_null(out);
		fprintf(out, "city,country,field,year,tz,lat,lon\r\n%s\r\n", csv);
		assert_int_equal(fclose(out), 0);
		return f->csv_path;
	}
	return arg;
}

/* Run uccn with who's key and args (NULL-terminated, at most 31). */
static int run_argv(struct fx *f, enum who who, const char *const *args, const char *csv)
{
	char *argv[32];
	size_t n = 0;
	for (; args[n]; n++) {
		assert_true(n + 1 < sizeof argv / sizeof argv[0]);
		argv[n] = (char *)expand(f, args[n], csv);
	}
	argv[n] = NULL;
	return h_uccnv(&f->r, f->d, f->key[who], NULL, argv);
}

static int as(struct fx *f, enum who who, ...) __attribute__((sentinel));
static int as(struct fx *f, enum who who, ...)
{
	const char *args[32];
	size_t n = 0;
	va_list ap;
	va_start(ap, who);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL) {
		assert_true(n + 1 < sizeof args / sizeof args[0]);
		args[n++] = a;
	}
	va_end(ap);
	args[n] = NULL;
	return run_argv(f, who, args, NULL);
}

/* stderr must be one message starting "uccn: " that contains want (when
 * want is set): what the user reads when a command is refused. */
static void assert_says(const h_run_t *r, const char *want)
{
	bool ok = strncmp(r->err, "uccn: ", 6) == 0 && r->err_len > 8 &&
		  (!want || strstr(r->err, want));
	if (!ok) {
		fprintf(stderr, "want a message starting 'uccn: '%s%s%s\n", want ? " naming '" : "",
			want ? want : "", want ? "'" : "");
		h_run_print(r);
	}
	assert_true(ok);
}

/* h_assert_exit, and for a refusal the message naming want. */
static void expect(struct fx *f, int code, const char *want)
{
	h_assert_exit(&f->r, code);
	if (code != 0)
		assert_says(&f->r, want);
}

/* ---- reading records back ---- */

/* `--json WHAT show ID` as the coordinator: the one record, parsed. */
static h_json_t *show(struct fx *f, const char *what, const char *id)
{
	as(f, COORD, "--json", what, "show", id, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	if (!j || h_json_type(j) != H_JSON_OBJECT) {
		fprintf(stderr, "%s show --json: want one JSON object\n", what);
		h_run_print(&f->r);
	}
	assert_non_null(j);
	assert_int_equal(h_json_type(j), H_JSON_OBJECT);
	return j;
}

static uint64_t version_of(struct fx *f, const char *what, const char *id)
{
	h_json_t *j = show(f, what, id);
	uint64_t v = h_json_u64(h_json_get(j, "version"));
	h_json_destroy(&j);
	return v;
}

/* The stdout of `--json WHAT show ID`, malloc'd: to compare before/after. */
static char *snapshot(struct fx *f, const char *what, const char *id)
{
	as(f, COORD, "--json", what, "show", id, NULL);
	h_assert_exit(&f->r, 0);
	char *s = strdup(f->r.out);
	assert_non_null(s);
	return s;
}

static void assert_unchanged(struct fx *f, const char *what, const char *id, char **before)
{
	char *now = snapshot(f, what, id);
	if (strcmp(now, *before) != 0)
		fprintf(stderr, "%s %s changed:\n  was %s  now %s", what, id, *before, now);
	assert_string_equal(now, *before);
	free(now);
	free(*before);
	*before = NULL;
}

/* Item i of array: the string itself, or its member key when key is set. */
static const char *item_str(const h_json_t *array, size_t i, const char *key)
{
	const h_json_t *item = h_json_at(array, i);
	return h_json_str(key ? h_json_get(item, key) : item);
}

/* The strings of array (or their members key) equal want[0..n) as a set:
 * the order is the server's. */
static void assert_set_of(const h_json_t *array, const char *key, const char *const *want,
			  size_t n)
{
	bool ok = h_json_type(array) == H_JSON_ARRAY && h_json_len(array) == n;
	for (size_t i = 0; ok && i < n; i++) {
		ok = false;
		for (size_t k = 0; k < h_json_len(array); k++) {
			const char *v = item_str(array, k, key);
			if (v && strcmp(v, want[i]) == 0)
				ok = true;
		}
	}
	if (!ok) {
		fprintf(stderr, "want the set {");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", want[i]);
		fprintf(stderr, "}, got %zu item(s):", h_json_len(array));
		for (size_t i = 0; i < h_json_len(array); i++) {
			const char *v = item_str(array, i, key);
			fprintf(stderr, " %s", v ? v : "(not a string)");
		}
		fprintf(stderr, "\n");
	}
	assert_true(ok);
}

#define assert_set(array, want, n) assert_set_of(array, NULL, want, n)

/* ---- records every test can lean on ---- */

#define LIT_PROJECT "lorca-readings"  /* led by MEMBER, PARTNER a partner */
#define DEP_PROJECT "prima-vista"     /* led by DEPUTY */
#define LIT_MEETING "col-annual-2027" /* literature annual meeting */
#define FILM_MEETING "film-wg"        /* film working group */

static void seed(struct fx *f)
{
	as(f, COORD, "project", "add", LIT_PROJECT, "--title", "Lorca readings",
	   "--lead", "granada", "--partner", "norwich", "--field", "literature", NULL);
	h_assert_exit(&f->r, 0);
	as(f, COORD, "project", "add", DEP_PROJECT, "--title", "Prima Vista exchange",
	   "--lead", "tartu", "--field", "literature", "--status", "active", NULL);
	h_assert_exit(&f->r, 0);
	as(f, COORD, "meeting", "add", LIT_MEETING, "--kind", "annual-meeting",
	   "--field", "literature", "--host", "granada", "--start", "2027-05-10",
	   "--end", "2027-05-12", "--tz", "Europe/Madrid", "--hybrid", NULL);
	h_assert_exit(&f->r, 0);
	as(f, COORD, "meeting", "add", FILM_MEETING, "--kind", "working-group",
	   "--field", "film", "--host", "bradford", "--start", "2027-02-01",
	   "--end", "2027-02-01", "--tz", "Europe/London", NULL);
	h_assert_exit(&f->r, 0);
	as(f, MEMBER, "--json", "post", "--kind", "news", "--project", LIT_PROJECT,
	   "Readings in eighteen bookshops on 21 March.", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	snprintf(f->seq, sizeof f->seq, "%llu",
		 (unsigned long long)h_json_u64(h_json_get(j, "seq")));
	h_json_destroy(&j);
}

/* ---- what a client other than uccn could send ---- */

static void pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static void pack_header(msgpack_packer *pk, const char *op, size_t more)
{
	msgpack_pack_map(pk, 2 + more);
	pack_str(pk, "v");
	msgpack_pack_uint64(pk, 1);
	pack_str(pk, "op");
	pack_str(pk, op);
}

/* A post by Granada's key that names Norwich as its author. */
static void pack_forged_post(msgpack_packer *pk)
{
	pack_header(pk, "post", 1);
	pack_str(pk, "post");
	msgpack_pack_map(pk, 3);
	pack_str(pk, "kind");
	pack_str(pk, "news");
	pack_str(pk, "city");
	pack_str(pk, "norwich");
	pack_str(pk, "body");
	pack_str(pk, "Written by Granada, signed as Norwich.");
}

/* Leaving a project on Norwich's behalf. */
static void pack_forged_leave(msgpack_packer *pk)
{
	pack_header(pk, "project.leave", 2);
	pack_str(pk, "id");
	pack_str(pk, DEP_PROJECT);
	pack_str(pk, "city");
	pack_str(pk, "norwich");
}

/* Send the request pack() builds over a DEALER with who's key, and wait
 * for the reply (whatever it says: the records tell what happened). */
static void raw_request(struct fx *f, enum who who, void (*pack)(msgpack_packer *))
{
	void *ctx = zmq_ctx_new();
	assert_non_null(ctx);
	void *s = h_dealer_new(ctx, f->d, f->key[who]);
	assert_non_null(s);
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	pack(&pk);
	assert_int_equal(zmq_send(s, buf.data, buf.size, 0), (int)buf.size);
	msgpack_sbuffer_destroy(&buf);
	int timeout = 10000;
	assert_int_equal(zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
	char reply[4096];
	assert_true(zmq_recv(s, reply, sizeof reply, 0) > 0);
	zmq_close(s);
	h_ctx_term(ctx);
}

/* ---- the table runner ---- */

/* One attempt: who runs args and must exit with want. The probe is a record
 * (`--json WHAT show ID`, run as the coordinator before and after) that
 * shows the effect: a refused attempt must leave it byte for byte as it
 * was, an allowed one must change it. A record that does not exist yet
 * (exit 3) counts as a state too. */
struct row {
	enum who who;
	int want;
	const char *probe[2]; /* {WHAT, ID}; WHAT "field" means `field list` */
	const char *args[28];
	const char *csv;      /* for @CSV */
};

struct probe {
	int status;
	char *out;
};

static struct probe take_probe(struct fx *f, const struct row *row)
{
	if (strcmp(row->probe[0], "field") == 0)
		as(f, COORD, "--json", "field", "list", NULL);
	else
		as(f, COORD, "--json", row->probe[0], "show", row->probe[1], NULL);
	if (f->r.status != 0 && f->r.status != 3)
		h_run_print(&f->r);
	assert_true(f->r.status == 0 || f->r.status == 3);
	struct probe p = {f->r.status, strdup(f->r.out)};
	assert_non_null(p.out);
	if (p.status == 0 && strcmp(row->probe[0], "field") != 0) {
		h_json_t *j = h_json_parse(p.out);
		const h_json_t *rec = h_json_type(j) == H_JSON_ARRAY ? h_json_at(j, 0) : j;
		snprintf(f->version, sizeof f->version, "%llu",
			 (unsigned long long)h_json_u64(h_json_get(rec, "version")));
		h_json_destroy(&j);
	}
	return p;
}

static void print_row(const struct row *row)
{
	fprintf(stderr, "  as %s (%s): uccn", cast[row->who].id,
		cast[row->who].role ? cast[row->who].role : "no city");
	for (size_t i = 0; row->args[i]; i++)
		fprintf(stderr, " %s", row->args[i]);
	fprintf(stderr, "\n");
}

/* Run every row; report each that fails, then fail if any did. */
static void run_rows(struct fx *f, const struct row *rows, size_t n)
{
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *row = &rows[i];
		struct probe before = {0, NULL};
		if (row->probe[0])
			before = take_probe(f, row);
		run_argv(f, row->who, row->args, row->csv);
		const char *wrong = NULL;
		if (f->r.status != row->want)
			wrong = "wrong exit code";
		else if (row->want != 0 &&
			 (strncmp(f->r.err, "uccn: ", 6) != 0 || f->r.err_len < 8))
			wrong = "refused without a message";
		if (wrong) {
			fprintf(stderr, "row %zu: %s, want exit %d, got %d\n", i + 1, wrong,
				row->want, f->r.status);
			print_row(row);
			h_run_print(&f->r);
			failures++;
		}
		if (row->probe[0]) {
			h_run_t saved = f->r;
			memset(&f->r, 0, sizeof f->r);
			struct probe after = take_probe(f, row);
			bool same = after.status == before.status && strcmp(after.out, before.out) == 0;
			if (row->want != 0 && !same) {
				fprintf(stderr, "row %zu: refused, yet %s %s changed:\n  was %s  now %s",
					i + 1, row->probe[0], row->probe[1] ? row->probe[1] : "",
					before.out, after.out);
				print_row(row);
				failures++;
			} else if (row->want == 0 && f->r.status == 0 && same && !wrong) {
				fprintf(stderr, "row %zu: succeeded, yet %s %s did not change\n",
					i + 1, row->probe[0], row->probe[1] ? row->probe[1] : "");
				print_row(row);
				failures++;
			}
			free(after.out);
			h_run_clear(&f->r);
			f->r = saved;
		}
		free(before.out);
	}
	if (failures)
		fprintf(stderr, "%d of %zu rows failed\n", failures, n);
	assert_int_equal(failures, 0);
}

#define ROW(who_, want_, what, id, ...) \
	{.who = who_, .want = want_, .probe = {what, id}, .args = {__VA_ARGS__}}
#define CSV_ROW(who_, want_, what, id, line, ...) \
	{.who = who_, .want = want_, .probe = {what, id}, .args = {__VA_ARGS__}, .csv = line}
#define ROWS(f, rows) run_rows(f, rows, sizeof rows / sizeof rows[0])

/* Commands the tables use again and again. */
#define UPDATE(what, id) what, "update", id, "--if-version", "@V"
#define CITY_ADD(id, name) \
	"city", "add", id, "--name", name, "--field", "literature", "--key", "@K"
#define PROJECT_ADD(id, lead) "project", "add", id, "--title", "Project " id, "--lead", lead
#define MEETING_ADD(id, kind, field, host) \
	"meeting", "add", id, "--kind", kind, "--field", field, "--host", host, \
	"--start", "2027-09-01", "--end", "2027-09-03", "--tz", "Europe/Tallinn"
#define CONFERENCE_ADD(id, hosts) \
	"meeting", "add", id, "--kind", "conference", "--host", hosts, \
	"--start", "2027-06-01", "--end", "2027-06-04", "--tz", "Europe/Tallinn"
#define DUBLIN "Dublin,Ireland,literature,2010,Europe/Dublin,53.3331,-6.2489"
#define EDINBURGH "Edinburgh,United Kingdom,literature,2004,Europe/London,55.9521,-3.1965"
#define DESCRIPTION "Poetry in bookshops on World Poetry Day."

/* ---- reads: everyone with a key of a city; nobody else ---- */

static void test_reads_open_to_every_role(void **state)
{
	struct fx *f = *state;
	seed(f);
	static const char *const reads[][6] = {
		{"status"},
		{"list"},
		{"show", "@S"},
		{"city", "list"},
		{"city", "show", "granada"},
		{"field", "list"},
		{"project", "show", LIT_PROJECT},
		{"project", "list"},
		{"meeting", "show", LIT_MEETING},
		{"meeting", "list"},
	};
	int failures = 0;
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		for (int w = COORD; w < N_WHO; w++) {
			int want = w == STRANGER ? 4 : 0;
			run_argv(f, (enum who)w, reads[i], NULL);
			bool ok = f->r.status == want &&
				  (want == 0 ? f->r.out_len > 0 : strncmp(f->r.err, "uccn: ", 6) == 0);
			if (!ok) {
				fprintf(stderr, "read '%s %s' as %s: want exit %d%s\n", reads[i][0],
					reads[i][1] ? reads[i][1] : "", cast[w].id, want,
					want == 0 ? " and some output" : " and a message");
				h_run_print(&f->r);
				failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

/* ---- post: always as itself ---- */

static void test_post_always_as_itself(void **state)
{
	struct fx *f = *state;
	for (int w = COORD; w < STRANGER; w++) {
		as(f, (enum who)w, "--json", "post", "--kind", "news", "Hello from the network.", NULL);
		h_assert_exit(&f->r, 0);
		h_json_t *j = h_json_parse(f->r.out);
		assert_non_null(j);
		char seq[24];
		snprintf(seq, sizeof seq, "%llu", (unsigned long long)h_json_u64(h_json_get(j, "seq")));
		h_json_destroy(&j);
		as(f, COORD, "--json", "show", seq, NULL);
		h_assert_exit(&f->r, 0);
		j = h_json_parse(f->r.out);
		assert_string_equal(h_json_str(h_json_get(j, "city")), cast[w].id);
		h_json_destroy(&j);
	}
	as(f, STRANGER, "post", "Let me in.", NULL);
	expect(f, 4, NULL);

	/* A client that claims another author in the request itself: the
	 * server stores the post under the key's city all the same. */
	raw_request(f, MEMBER, pack_forged_post);
	as(f, COORD, "--json", "list", "--limit", "1", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	const h_json_t *newest = h_json_at(j, 0);
	assert_string_equal(h_json_str(h_json_get(newest, "body")),
			    "Written by Granada, signed as Norwich.");
	assert_string_equal(h_json_str(h_json_get(newest, "city")), "granada");
	h_json_destroy(&j);
}

/* ---- the coordinator's and the Secretariat's operations ---- */

static void test_registry_ops_coordinator_and_secretariat_only(void **state)
{
	struct fx *f = *state;
	static const struct row rows[] = {
		/* city add */
		ROW(MEMBER, 4, "city", "lviv", CITY_ADD("lviv", "Lviv")),
		ROW(DEPUTY, 4, "city", "lviv", CITY_ADD("lviv", "Lviv")),
		ROW(FILM_DEPUTY, 4, "city", "lviv", CITY_ADD("lviv", "Lviv")),
		ROW(COORD, 0, "city", "lviv", CITY_ADD("lviv", "Lviv")),
		ROW(SECRETARIAT, 0, "city", "prague", CITY_ADD("prague", "Prague")),
		/* city update; a deputy cannot make itself (or anyone) coordinator */
		ROW(DEPUTY, 4, "city", "tartu", UPDATE("city", "tartu"), "--role", "coordinator"),
		ROW(MEMBER, 4, "city", "kuhmo", UPDATE("city", "kuhmo"), "--year", "2019"),
		ROW(DEPUTY, 4, "city", "kuhmo", UPDATE("city", "kuhmo"), "--year", "2019"),
		ROW(COORD, 0, "city", "kuhmo", UPDATE("city", "kuhmo"), "--year", "2019"),
		ROW(SECRETARIAT, 0, "city", "kuhmo", UPDATE("city", "kuhmo"), "--country", "Finland"),
		/* city rekey */
		ROW(MEMBER, 4, "city", "kuhmo", "city", "rekey", "kuhmo", "--key", "@K"),
		ROW(DEPUTY, 4, "city", "kuhmo", "city", "rekey", "kuhmo", "--key", "@K"),
		ROW(COORD, 0, "city", "kuhmo", "city", "rekey", "kuhmo", "--key", "@K"),
		ROW(SECRETARIAT, 0, "city", "kuhmo", "city", "rekey", "kuhmo", "--key", "@K"),
		/* import cities */
		CSV_ROW(MEMBER, 4, "city", "dublin", DUBLIN, "import", "cities", "@CSV"),
		CSV_ROW(DEPUTY, 4, "city", "dublin", DUBLIN, "import", "cities", "@CSV"),
		CSV_ROW(COORD, 0, "city", "dublin", DUBLIN, "import", "cities", "@CSV"),
		CSV_ROW(SECRETARIAT, 0, "city", "edinburgh", EDINBURGH, "import", "cities", "@CSV"),
		/* field add */
		ROW(MEMBER, 4, "field", NULL, "field", "add", "comics"),
		ROW(DEPUTY, 4, "field", NULL, "field", "add", "comics"),
		ROW(COORD, 0, "field", NULL, "field", "add", "comics"),
		ROW(SECRETARIAT, 0, "field", NULL, "field", "add", "puppetry"),
	};
	ROWS(f, rows);
}

/* ---- projects ---- */

static void test_project_add_lead_rule(void **state)
{
	struct fx *f = *state;
	static const struct row rows[] = {
		/* a member or deputy may open a project only with itself as lead */
		ROW(MEMBER, 0, "project", "granada-own", PROJECT_ADD("granada-own", "granada")),
		ROW(MEMBER, 4, "project", "for-norwich", PROJECT_ADD("for-norwich", "norwich")),
		ROW(MEMBER, 4, "project", "for-tartu",
		    PROJECT_ADD("for-tartu", "tartu"), "--partner", "granada"),
		ROW(DEPUTY, 0, "project", "tartu-own",
		    PROJECT_ADD("tartu-own", "tartu"), "--partner", "granada"),
		ROW(DEPUTY, 4, "project", "for-granada", PROJECT_ADD("for-granada", "granada")),
		ROW(FILM_DEPUTY, 4, "project", "for-granada", PROJECT_ADD("for-granada", "granada")),
		/* the coordinator and the Secretariat may name any lead */
		ROW(COORD, 0, "project", "coord-made", PROJECT_ADD("coord-made", "norwich")),
		ROW(SECRETARIAT, 0, "project", "sec-made",
		    PROJECT_ADD("sec-made", "bradford"), "--field", "film"),
		ROW(STRANGER, 4, "project", "stranger-made", PROJECT_ADD("stranger-made", "granada")),
	};
	ROWS(f, rows);
	/* The lead is the one given, whoever registered the project. */
	h_json_t *j = show(f, "project", "coord-made");
	assert_string_equal(h_json_str(h_json_get(j, "lead")), "norwich");
	h_json_destroy(&j);
}

static void test_project_update_lead_only(void **state)
{
	struct fx *f = *state;
	seed(f);
	static const struct row rows[] = {
		/* a partner may not rewrite the project, nor drop itself or others */
		ROW(PARTNER, 4, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--title", "Norwich readings"),
		ROW(PARTNER, 4, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--partner", "tartu"),
		ROW(DEPUTY, 4, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--status", "cancelled"),
		ROW(FILM_DEPUTY, 4, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--status", "cancelled"),
		ROW(STRANGER, 4, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--status", "cancelled"),
		/* the lead, the coordinator and the Secretariat may */
		ROW(MEMBER, 0, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--status", "active"),
		ROW(COORD, 0, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--start", "2018-03-21"),
		ROW(SECRETARIAT, 0, "project", LIT_PROJECT,
		    UPDATE("project", LIT_PROJECT), "--description", DESCRIPTION),
		/* a deputy leads its own project; another project's lead may not touch it */
		ROW(DEPUTY, 0, "project", DEP_PROJECT,
		    UPDATE("project", DEP_PROJECT), "--partner", "norwich"),
		ROW(MEMBER, 4, "project", DEP_PROJECT,
		    UPDATE("project", DEP_PROJECT), "--lead", "granada"),
	};
	ROWS(f, rows);

	/* What the lead and the others wrote is all there, and nothing else. */
	h_json_t *j = show(f, "project", LIT_PROJECT);
	assert_string_equal(h_json_str(h_json_get(j, "title")), "Lorca readings");
	assert_string_equal(h_json_str(h_json_get(j, "status")), "active");
	assert_string_equal(h_json_str(h_json_get(j, "start")), "2018-03-21");
	assert_string_equal(h_json_str(h_json_get(j, "description")), DESCRIPTION);
	static const char *const partners[] = {"norwich"};
	assert_set(h_json_get(j, "partners"), partners, 1);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 4);
	h_json_destroy(&j);
}

static void test_project_join_leave_only_itself(void **state)
{
	struct fx *f = *state;
	seed(f);
	static const struct row rows[] = {
		ROW(MEMBER, 0, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(PARTNER, 0, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(FILM_DEPUTY, 0, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(COORD, 0, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(SECRETARIAT, 0, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(STRANGER, 4, "project", DEP_PROJECT, "project", "join", DEP_PROJECT),
		ROW(MEMBER, 0, "project", DEP_PROJECT, "project", "leave", DEP_PROJECT),
		ROW(COORD, 0, "project", DEP_PROJECT, "project", "leave", DEP_PROJECT),
		ROW(STRANGER, 4, "project", DEP_PROJECT, "project", "leave", DEP_PROJECT),
		/* the lead cannot leave its own project */
		ROW(DEPUTY, 1, "project", DEP_PROJECT, "project", "leave", DEP_PROJECT),
		ROW(MEMBER, 1, "project", LIT_PROJECT, "project", "leave", LIT_PROJECT),
	};
	ROWS(f, rows);
	/* Each call moved exactly its caller: three joined and stayed. */
	h_json_t *j = show(f, "project", DEP_PROJECT);
	static const char *const partners[] = {"norwich", "bradford", "secretariat"};
	assert_set(h_json_get(j, "partners"), partners, 3);
	assert_string_equal(h_json_str(h_json_get(j, "lead")), "tartu");
	h_json_destroy(&j);

	/* The answer names the new version. */
	as(f, MEMBER, "--json", "project", "join", DEP_PROJECT, NULL);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "id")), DEP_PROJECT);
	assert_true(h_json_u64(h_json_get(j, "seq")) > 0);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), version_of(f, "project", DEP_PROJECT));
	h_json_destroy(&j);
	/* A request that names another city leaves as the caller all the same. */
	raw_request(f, MEMBER, pack_forged_leave);
	j = show(f, "project", DEP_PROJECT);
	assert_set(h_json_get(j, "partners"), partners, 3);
	h_json_destroy(&j);
}

/* ---- meetings ---- */

static void test_meeting_add_update_by_field(void **state)
{
	struct fx *f = *state;
	seed(f);
	static const struct row rows[] = {
		/* add: no member; a deputy only in its own field */
		ROW(MEMBER, 4, "meeting", "lit-wg-1",
		    MEETING_ADD("lit-wg-1", "working-group", "literature", "granada")),
		ROW(PARTNER, 4, "meeting", "lit-wg-1",
		    MEETING_ADD("lit-wg-1", "working-group", "literature", "norwich")),
		ROW(DEPUTY, 0, "meeting", "lit-wg-1",
		    MEETING_ADD("lit-wg-1", "working-group", "literature", "tartu")),
		ROW(DEPUTY, 4, "meeting", "film-wg-2",
		    MEETING_ADD("film-wg-2", "working-group", "film", "bradford")),
		ROW(FILM_DEPUTY, 0, "meeting", "film-wg-2",
		    MEETING_ADD("film-wg-2", "working-group", "film", "bradford")),
		ROW(FILM_DEPUTY, 4, "meeting", "lit-annual",
		    MEETING_ADD("lit-annual", "annual-meeting", "literature", "bradford")),
		/* a network conference belongs to no one field: not a deputy's */
		ROW(DEPUTY, 4, "meeting", "conf-2027", CONFERENCE_ADD("conf-2027", "tartu")),
		ROW(COORD, 0, "meeting", "conf-2027", CONFERENCE_ADD("conf-2027", "tartu,granada")),
		ROW(SECRETARIAT, 0, "meeting", "film-annual",
		    MEETING_ADD("film-annual", "annual-meeting", "film", "bradford")),
		ROW(STRANGER, 4, "meeting", "stranger-wg",
		    MEETING_ADD("stranger-wg", "working-group", "literature", "granada")),
		/* update: likewise */
		ROW(MEMBER, 4, "meeting", LIT_MEETING,
		    UPDATE("meeting", LIT_MEETING), "--place", "Granada"),
		ROW(FILM_DEPUTY, 4, "meeting", LIT_MEETING,
		    UPDATE("meeting", LIT_MEETING), "--place", "Bradford"),
		ROW(DEPUTY, 0, "meeting", LIT_MEETING,
		    UPDATE("meeting", LIT_MEETING), "--place", "Centro Federico García Lorca"),
		ROW(DEPUTY, 4, "meeting", FILM_MEETING,
		    UPDATE("meeting", FILM_MEETING), "--place", "Tartu"),
		/* nor may it pull another field's meeting into its own */
		ROW(DEPUTY, 4, "meeting", FILM_MEETING,
		    UPDATE("meeting", FILM_MEETING), "--field", "literature"),
		ROW(FILM_DEPUTY, 0, "meeting", FILM_MEETING,
		    UPDATE("meeting", FILM_MEETING), "--status", "agenda-draft"),
		ROW(COORD, 0, "meeting", LIT_MEETING,
		    UPDATE("meeting", LIT_MEETING), "--status", "agenda-draft"),
		ROW(SECRETARIAT, 0, "meeting", FILM_MEETING,
		    UPDATE("meeting", FILM_MEETING), "--no-hybrid", "--day-start", "10:00"),
		ROW(STRANGER, 4, "meeting", LIT_MEETING,
		    UPDATE("meeting", LIT_MEETING), "--status", "closed"),
	};
	ROWS(f, rows);
	h_json_t *j = show(f, "meeting", LIT_MEETING);
	assert_string_equal(h_json_str(h_json_get(j, "place")), "Centro Federico García Lorca");
	assert_string_equal(h_json_str(h_json_get(j, "status")), "agenda-draft");
	assert_string_equal(h_json_str(h_json_get(j, "field")), "literature");
	h_json_destroy(&j);
	j = show(f, "meeting", FILM_MEETING);
	assert_string_equal(h_json_str(h_json_get(j, "field")), "film");
	assert_string_equal(h_json_str(h_json_get(j, "day_start")), "10:00");
	h_json_destroy(&j);
	j = show(f, "meeting", "conf-2027");
	static const char *const hosts[] = {"tartu", "granada"};
	assert_set(h_json_get(j, "hosts"), hosts, 2);
	h_json_destroy(&j);
}

/* ---- rules every project and meeting obeys ---- */

static void test_missing_references_named(void **state)
{
	struct fx *f = *state;
	seed(f);
	/* Each refused with "not found", naming what is missing; nothing made. */
	as(f, COORD, "project", "add", "lost", "--title", "Lost", "--lead", "atlantis", NULL);
	expect(f, 3, "atlantis");
	as(f, COORD, "project", "add", "lost", "--title", "Lost", "--lead", "granada",
	   "--partner", "norwich", "--partner", "el-dorado", NULL);
	expect(f, 3, "el-dorado");
	as(f, COORD, "project", "add", "lost", "--title", "Lost", "--lead", "granada",
	   "--field", "sculpture", NULL);
	expect(f, 3, "sculpture");
	as(f, COORD, "project", "show", "lost", NULL);
	expect(f, 3, "lost");
	as(f, MEMBER, "project", "add", "lost", "--title", "Lost", "--lead", "granada",
	   "--partner", "shangri-la", NULL);
	expect(f, 3, "shangri-la");

	char *before = snapshot(f, "project", LIT_PROJECT);
	char v[24];
	snprintf(v, sizeof v, "%llu", (unsigned long long)version_of(f, "project", LIT_PROJECT));
	as(f, MEMBER, "project", "update", LIT_PROJECT, "--if-version", v,
	   "--partner", "atlantis", NULL);
	expect(f, 3, "atlantis");
	assert_unchanged(f, "project", LIT_PROJECT, &before);

	as(f, COORD, "project", "update", "no-such-project", "--if-version", "1",
	   "--title", "X", NULL);
	expect(f, 3, "no-such-project");
	as(f, PARTNER, "project", "join", "no-such-project", NULL);
	expect(f, 3, "no-such-project");
	as(f, PARTNER, "project", "leave", "no-such-project", NULL);
	expect(f, 3, "no-such-project");

	as(f, COORD, MEETING_ADD("lost-wg", "working-group", "literature", "atlantis"), NULL);
	expect(f, 3, "atlantis");
	as(f, COORD, MEETING_ADD("lost-wg", "working-group", "literature", "tartu,el-dorado"), NULL);
	expect(f, 3, "el-dorado");
	as(f, COORD, MEETING_ADD("lost-wg", "working-group", "sculpture", "tartu"), NULL);
	expect(f, 3, "sculpture");
	as(f, COORD, "meeting", "show", "lost-wg", NULL);
	expect(f, 3, "lost-wg");
	as(f, COORD, "meeting", "update", "no-such-meeting", "--if-version", "1",
	   "--place", "X", NULL);
	expect(f, 3, "no-such-meeting");
}

static void test_bad_dates_refused(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *start, *end, *named;
	} bad[] = {
		{"2025-02-30", NULL, "2025-02-30"},  /* no such day */
		{"2025-02-29", NULL, "2025-02-29"},  /* not a leap year */
		{"2025-13-01", NULL, "2025-13-01"},
		{"2025-3-1", NULL, "2025-3-1"},      /* not YYYY-MM-DD */
		{"2025-04-01", "2025-04-31", "2025-04-31"},
		{"2025-03-10", "2025-03-01", "end"}, /* ends before it starts */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (bad[i].end)
			as(f, COORD, "project", "add", "bad-dates", "--title", "Bad dates",
			   "--lead", "granada", "--start", bad[i].start, "--end", bad[i].end, NULL);
		else
			as(f, COORD, "project", "add", "bad-dates", "--title", "Bad dates",
			   "--lead", "granada", "--start", bad[i].start, NULL);
		expect(f, 1, bad[i].named);
		/* A meeting always has both dates: one day, or the same pair. */
		as(f, COORD, "meeting", "add", "bad-dates", "--kind", "working-group",
		   "--field", "literature", "--host", "tartu", "--tz", "Europe/Tallinn",
		   "--start", bad[i].start, "--end", bad[i].end ? bad[i].end : bad[i].start, NULL);
		expect(f, 1, bad[i].named);
	}
	as(f, COORD, "project", "show", "bad-dates", NULL);
	h_assert_exit(&f->r, 3);
	as(f, COORD, "meeting", "show", "bad-dates", NULL);
	h_assert_exit(&f->r, 3);

	/* The real ones go through: a leap day, a one-day meeting. */
	as(f, COORD, "project", "add", "leap", "--title", "Leap", "--lead", "granada",
	   "--start", "2024-02-29", "--end", "2024-02-29", NULL);
	h_assert_exit(&f->r, 0);
	as(f, COORD, "meeting", "add", "one-day", "--kind", "working-group", "--field",
	   "literature", "--host", "tartu", "--start", "2027-01-15", "--end", "2027-01-15",
	   "--tz", "Europe/Tallinn", NULL);
	h_assert_exit(&f->r, 0);

	/* An update to bad dates is refused too, and changes nothing. */
	char *before = snapshot(f, "project", "leap");
	as(f, COORD, "project", "update", "leap", "--if-version", "1", "--end", "2024-02-28", NULL);
	expect(f, 1, "end");
	as(f, COORD, "project", "update", "leap", "--if-version", "1", "--start", "2023-02-29", NULL);
	expect(f, 1, "2023-02-29");
	assert_unchanged(f, "project", "leap", &before);
}

static void test_meeting_rules(void **state)
{
	struct fx *f = *state;
	/* A field's annual meeting needs its field. */
	as(f, COORD, "meeting", "add", "annual", "--kind", "annual-meeting", "--host", "granada",
	   "--start", "2027-05-10", "--end", "2027-05-12", "--tz", "Europe/Madrid", NULL);
	expect(f, 1, "field");
	as(f, COORD, "meeting", "show", "annual", NULL);
	h_assert_exit(&f->r, 3);
	/* A zone the server's database lacks. */
	as(f, COORD, "meeting", "add", "annual", "--kind", "annual-meeting", "--field",
	   "literature", "--host", "granada", "--start", "2027-05-10", "--end", "2027-05-12",
	   "--tz", "Mars/Olympus_Mons", NULL);
	expect(f, 1, "Mars/Olympus_Mons");
	as(f, COORD, "meeting", "show", "annual", NULL);
	h_assert_exit(&f->r, 3);
	/* Not a time of day; not a kind. */
	as(f, COORD, MEETING_ADD("annual", "annual-meeting", "literature", "granada"),
	   "--day-start", "24:30", NULL);
	expect(f, 1, "24:30");
	as(f, COORD, MEETING_ADD("annual", "festival", "literature", "granada"), NULL);
	expect(f, 1, "festival");
	/* An update to an unknown zone or status is refused, changing nothing. */
	as(f, COORD, MEETING_ADD("annual", "annual-meeting", "literature", "granada"), NULL);
	h_assert_exit(&f->r, 0);
	char *before = snapshot(f, "meeting", "annual");
	as(f, COORD, "meeting", "update", "annual", "--if-version", "1", "--tz", "Europe/Atlantis", NULL);
	expect(f, 1, "Europe/Atlantis");
	as(f, COORD, "meeting", "update", "annual", "--if-version", "1", "--status", "postponed", NULL);
	expect(f, 1, "postponed");
	assert_unchanged(f, "meeting", "annual", &before);
}

static void test_post_names_missing_project_or_meeting(void **state)
{
	struct fx *f = *state;
	seed(f);
	as(f, MEMBER, "post", "--project", "no-such-project", "Our readings.", NULL);
	expect(f, 3, "no-such-project");
	as(f, MEMBER, "post", "--kind", "agenda-item", "--minutes", "15",
	   "--meeting", "no-such-meeting", "Ten minutes, please.", NULL);
	expect(f, 3, "no-such-meeting");
	/* Nothing was stored: the post count is the same. */
	as(f, COORD, "--json", "list", "--limit", "500", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_int_equal(h_json_len(j), 1);
	h_json_destroy(&j);

	/* Those that exist are taken, and the list finds the post by them. */
	as(f, MEMBER, "post", "--kind", "agenda-item", "--minutes", "15",
	   "--meeting", LIT_MEETING, "Ten minutes for the readings, please.", NULL);
	h_assert_exit(&f->r, 0);
	as(f, COORD, "--json", "list", "--meeting", LIT_MEETING, NULL);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_int_equal(h_json_len(j), 1);
	assert_string_equal(h_json_str(h_json_get(h_json_at(j, 0), "city")), "granada");
	h_json_destroy(&j);
}

/* ---- versions ---- */

static void test_stale_version_refused(void **state)
{
	struct fx *f = *state;
	seed(f);
	/* Coordinator and lead both read version 1. The lead writes first. */
	assert_int_equal(version_of(f, "project", LIT_PROJECT), 1);
	as(f, MEMBER, "--json", "project", "update", LIT_PROJECT, "--if-version", "1",
	   "--title", "World Poetry Day readings", "--partner", "tartu", "--partner", "norwich", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "id")), LIT_PROJECT);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 2);
	h_json_destroy(&j);
	char *before = snapshot(f, "project", LIT_PROJECT);

	/* The same stale version, twice, by anyone: a conflict naming the
	 * current version, and nothing merged. */
	as(f, COORD, "project", "update", LIT_PROJECT, "--if-version", "1",
	   "--status", "cancelled", NULL);
	expect(f, 6, "version 2");
	as(f, COORD, "project", "update", LIT_PROJECT, "--if-version", "1",
	   "--status", "cancelled", NULL);
	expect(f, 6, "version 2");
	as(f, MEMBER, "project", "update", LIT_PROJECT, "--if-version", "1",
	   "--title", "Lorca readings", NULL);
	expect(f, 6, "version 2");
	/* A version from the future is no better. */
	as(f, MEMBER, "project", "update", LIT_PROJECT, "--if-version", "3",
	   "--title", "Lorca readings", NULL);
	expect(f, 6, "version 2");
	assert_unchanged(f, "project", LIT_PROJECT, &before);

	j = show(f, "project", LIT_PROJECT);
	assert_string_equal(h_json_str(h_json_get(j, "title")), "World Poetry Day readings");
	assert_string_equal(h_json_str(h_json_get(j, "status")), "proposed");
	static const char *const partners[] = {"tartu", "norwich"};
	assert_set(h_json_get(j, "partners"), partners, 2);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 2);
	h_json_destroy(&j);

	/* Meetings likewise. */
	as(f, DEPUTY, "meeting", "update", LIT_MEETING, "--if-version", "1", "--place", "Granada", NULL);
	h_assert_exit(&f->r, 0);
	before = snapshot(f, "meeting", LIT_MEETING);
	for (int i = 0; i < 2; i++) {
		as(f, COORD, "meeting", "update", LIT_MEETING, "--if-version", "1",
		   "--place", "Madrid", NULL);
		expect(f, 6, "version 2");
	}
	assert_unchanged(f, "meeting", LIT_MEETING, &before);
}

/* ---- what show and list give back ---- */

static void test_records_as_shown(void **state)
{
	struct fx *f = *state;
	/* A project: status proposed unless said, version 1. */
	as(f, MEMBER, "--json", "project", "add", "wpd", "--title", "World Poetry Day readings",
	   "--lead", "granada", "--partner", "norwich", "--partner", "tartu",
	   "--field", "literature", "--start", "2018-03-21", "--description",
	   "Simultaneous readings in the Cities of Literature.", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "id")), "wpd");
	assert_true(h_json_u64(h_json_get(j, "seq")) > 0);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 1);
	h_json_destroy(&j);
	j = show(f, "project", "wpd");
	assert_string_equal(h_json_str(h_json_get(j, "title")), "World Poetry Day readings");
	assert_string_equal(h_json_str(h_json_get(j, "lead")), "granada");
	assert_string_equal(h_json_str(h_json_get(j, "status")), "proposed");
	assert_string_equal(h_json_str(h_json_get(j, "start")), "2018-03-21");
	assert_string_equal(h_json_str(h_json_get(j, "description")),
			    "Simultaneous readings in the Cities of Literature.");
	static const char *const partners[] = {"norwich", "tartu"};
	assert_set(h_json_get(j, "partners"), partners, 2);
	static const char *const lit[] = {"literature"};
	assert_set(h_json_get(j, "fields"), lit, 1);
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 1);
	h_json_destroy(&j);

	/* Given --partner and --field options replace the lists. */
	as(f, MEMBER, "project", "update", "wpd", "--if-version", "1", "--partner", "bradford",
	   "--field", "film", "--field", "literature", "--status", "active", NULL);
	h_assert_exit(&f->r, 0);
	j = show(f, "project", "wpd");
	static const char *const one[] = {"bradford"};
	assert_set(h_json_get(j, "partners"), one, 1);
	static const char *const two[] = {"film", "literature"};
	assert_set(h_json_get(j, "fields"), two, 2);
	assert_string_equal(h_json_str(h_json_get(j, "status")), "active");
	assert_string_equal(h_json_str(h_json_get(j, "title")), "World Poetry Day readings");
	h_json_destroy(&j);

	/* Lists filter by status, field, and city (lead or partner). */
	as(f, COORD, "project", "add", "slam", "--title", "Slam", "--lead", "tartu",
	   "--field", "literature", NULL);
	h_assert_exit(&f->r, 0);
	static const struct {
		const char *opt, *val;
		const char *want[2];
		size_t n;
	} filters[] = {
		{"--status", "active", {"wpd"}, 1},
		{"--status", "proposed", {"slam"}, 1},
		{"--field", "film", {"wpd"}, 1},
		{"--field", "literature", {"wpd", "slam"}, 2},
		{"--city", "bradford", {"wpd"}, 1},  /* a partner */
		{"--city", "tartu", {"slam"}, 1},    /* a lead */
		{"--city", "norwich", {NULL}, 0},    /* no longer a partner */
	};
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		as(f, PARTNER, "--json", "project", "list", filters[i].opt, filters[i].val, NULL);
		h_assert_exit(&f->r, 0);
		j = h_json_parse(f->r.out);
		assert_non_null(j);
		if (h_json_len(j) != filters[i].n)
			fprintf(stderr, "project list %s %s:\n", filters[i].opt, filters[i].val);
		assert_set_of(j, "id", filters[i].want, filters[i].n);
		h_json_destroy(&j);
	}

	/* A meeting: planned, 09:00-17:30 unless said, hybrid only if said. */
	as(f, DEPUTY, "--json", "meeting", "add", "col-2027", "--kind", "annual-meeting",
	   "--field", "literature", "--host", "tartu", "--start", "2027-09-01", "--end",
	   "2027-09-03", "--tz", "Europe/Tallinn", "--place", "Tartu", NULL);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "id")), "col-2027");
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 1);
	h_json_destroy(&j);
	j = show(f, "meeting", "col-2027");
	assert_string_equal(h_json_str(h_json_get(j, "kind")), "annual-meeting");
	assert_string_equal(h_json_str(h_json_get(j, "field")), "literature");
	static const char *const tartu[] = {"tartu"};
	assert_set(h_json_get(j, "hosts"), tartu, 1);
	assert_string_equal(h_json_str(h_json_get(j, "place")), "Tartu");
	assert_string_equal(h_json_str(h_json_get(j, "start")), "2027-09-01");
	assert_string_equal(h_json_str(h_json_get(j, "end")), "2027-09-03");
	assert_string_equal(h_json_str(h_json_get(j, "tz")), "Europe/Tallinn");
	assert_string_equal(h_json_str(h_json_get(j, "day_start")), "09:00");
	assert_string_equal(h_json_str(h_json_get(j, "day_end")), "17:30");
	assert_int_equal(h_json_type(h_json_get(j, "hybrid")), H_JSON_BOOL);
	assert_false(h_json_bool(h_json_get(j, "hybrid")));
	assert_string_equal(h_json_str(h_json_get(j, "status")), "planned");
	h_json_destroy(&j);
	as(f, DEPUTY, "meeting", "update", "col-2027", "--if-version", "1", "--hybrid",
	   "--status", "agenda-published", NULL);
	h_assert_exit(&f->r, 0);
	j = show(f, "meeting", "col-2027");
	assert_true(h_json_bool(h_json_get(j, "hybrid")));
	assert_string_equal(h_json_str(h_json_get(j, "status")), "agenda-published");
	assert_int_equal(h_json_u64(h_json_get(j, "version")), 2);
	h_json_destroy(&j);
	as(f, MEMBER, "--json", "meeting", "list", "--status", "planned", NULL);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_int_equal(h_json_len(j), 0);
	h_json_destroy(&j);
	as(f, MEMBER, "--json", "meeting", "list", "--field", "literature", NULL);
	h_assert_exit(&f->r, 0);
	j = h_json_parse(f->r.out);
	assert_int_equal(h_json_len(j), 1);
	assert_string_equal(h_json_str(h_json_get(h_json_at(j, 0), "id")), "col-2027");
	h_json_destroy(&j);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_reads_open_to_every_role),
		T(test_post_always_as_itself),
		T(test_registry_ops_coordinator_and_secretariat_only),
		T(test_project_add_lead_rule),
		T(test_project_update_lead_only),
		T(test_project_join_leave_only_itself),
		T(test_meeting_add_update_by_field),
		T(test_missing_references_named),
		T(test_bad_dates_refused),
		T(test_meeting_rules),
		T(test_post_names_missing_project_or_meeting),
		T(test_stale_version_refused),
		T(test_records_as_shown),
	};
	return cmocka_run_group_tests_name("e2e_authz", tests, NULL, NULL);
}
