/*
 * test_join.c - end-to-end: a city joins from "another machine" (its own
 * HOME) with nothing but an invitation, then posts and lists with no flags.
 * An invitation works once, not after it expires, not forged or cut; a
 * stranger with none gets nothing and the daemon keeps serving; the city's
 * secret key is never in the daemon's data directory.
 */
#include "../harness/harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <msgpack.h>
#include <zmq.h>

#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_invite.h"
#include "uccn_keyfile.h"
#include "uccn_msg.h"

static char *path_of(const char *fmt, const char *a, const char *b)
{
	char *p = NULL;
	assert_true(asprintf(&p, fmt, a, b) > 0);
	return p;
}

struct fx {
	char *dir;       /* the coordinator's daemon data */
	h_daemon_t *d;
	char *homes;     /* the cities' HOMEs live under it */
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || h_daemon_up(&f->dir, &f->d) != 0 || !(f->homes = h_tmpdir_new())) {
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
	h_tmpdir_destroy(&f->homes);
	free(f);
	return 0;
}

/* Runs that follow are on the machine whose HOME is home/name. */
static void on_machine(struct fx *f, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", f->homes, name);
	mkdir(path, 0700);
	setenv("HOME", path, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	unsetenv("UCCN_DATA");
	unsetenv("UCCN_PROFILE");
}

/* The coordinator registers city id without a key. */
static void register_keyless(struct fx *f, const char *id)
{
	char csv[PATH_MAX];
	snprintf(csv, sizeof csv, "%s/%s.csv", f->homes, id);
	FILE *out = fopen(csv, "w");
	assert_non_null(out);
	fprintf(out, "city,field\n%s,literature\n", id);
	assert_int_equal(fclose(out), 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "import", "cities", csv, NULL);
	h_assert_exit(&f->r, 0);
}

/* The coordinator's invitation for id, one line on stdout. */
static char *invite(struct fx *f, const char *id, const char *expires)
{
	char home[PATH_MAX];
	on_machine(f, "coordinator", home, sizeof home);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "city", "invite", id,
	       "--expires", expires, NULL);
	h_assert_exit(&f->r, 0);
	char *nl = strchr(f->r.out, '\n');
	assert_non_null(nl);
	assert_null(strchr(nl + 1, '\n'));
	*nl = '\0';
	assert_int_equal(strncmp(f->r.out, UCCN_INVITE_PREFIX, strlen(UCCN_INVITE_PREFIX)), 0);
	return strdup(f->r.out);
}

static void join(struct fx *f, const char *machine, const char *invitation)
{
	char home[PATH_MAX];
	on_machine(f, machine, home, sizeof home);
	h_uccn(&f->r, NULL, NULL, NULL, "join", invitation, NULL);
}

/* Whether any file under dir holds the n bytes of needle. */
static bool dir_holds(const char *dir, const void *needle, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	assert_non_null(d);
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = path_of("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			found = dir_holds(path, needle, n);
		} else {
			size_t len = 0;
			char *text = h_read_file(path, &len);
			found = text && memmem(text, len, needle, n);
			free(text);
		}
		free(path);
	}
	closedir(d);
	return found;
}

/* Invite, join with the invitation alone, then post and list with no flag;
 * the fingerprints printed are the keys'; the daemon's data directory
 * never holds the city's secret key. */
static void test_join_then_post_without_flags(void **state)
{
	struct fx *f = *state;
	char home[PATH_MAX], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	register_keyless(f, "krakow");
	char *inv = invite(f, "krakow", "7d");
	join(f, "krakow", inv);
	h_assert_exit(&f->r, 0);
	char *said = strdup(f->r.out);

	on_machine(f, "krakow", home, sizeof home);
	char *keyfile = path_of("%s/.local/share/uccn/%s.key", home, "krakow");
	size_t len = 0;
	char *text = h_read_file(keyfile, &len);
	assert_non_null(text);
	assert_int_equal(uccn_keyfile_parse(text, len, pub, sec), 0);
	assert_true(sec[0] != '\0');
	char fp[UCCN_FINGERPRINT_LEN + 1];
	assert_int_equal(uccn_key_fingerprint(pub, fp, sizeof fp), 0);
	assert_non_null(strstr(said, fp));

	h_uccn(&f->r, NULL, NULL, NULL, "post", "Hello from Krakow", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, NULL, NULL, NULL, "list", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "krakow"));
	assert_non_null(strstr(f->r.out, "Hello from Krakow"));

	/* Neither the secret key's text nor its bytes reached the daemon. */
	unsigned char raw[32];
	assert_int_equal(uccn_z85_decode_key(sec, raw), 0);
	assert_false(dir_holds(f->dir, sec, UCCN_KEY_Z85_LEN));
	assert_false(dir_holds(f->dir, raw, sizeof raw));

	/* The second use is refused, and leaves no key behind. */
	join(f, "krakow-again", inv);
	h_assert_exit(&f->r, 4);
	assert_non_null(strstr(f->r.err, "invitation not valid"));
	on_machine(f, "krakow-again", home, sizeof home);
	char *second = path_of("%s/.local/share/uccn/%s.key", home, "krakow");
	assert_int_not_equal(access(second, F_OK), 0);
	free(second);
	free(text);
	free(keyfile);
	free(said);
	free(inv);
}

/* An invitation past its expiry is refused, by the enrolment itself: one
 * for another city stays pending, so the new key gets past the handshake. */
static void test_expired_refused(void **state)
{
	struct fx *f = *state;
	register_keyless(f, "granada");
	register_keyless(f, "lyon");
	free(invite(f, "lyon", "1h"));
	char *inv = invite(f, "granada", "1s");
	int64_t until = h_now_ms() + 1500;
	while (h_now_ms() < until)
		usleep(50000);
	join(f, "granada", inv);
	h_assert_exit(&f->r, 4);
	assert_non_null(strstr(f->r.err, "invitation not valid"));
	free(inv);
}

/* A forged secret (a well-formed invitation the daemon never made) and a
 * cut one are refused; the real one still works after both. */
static void test_forged_and_truncated_refused(void **state)
{
	struct fx *f = *state;
	register_keyless(f, "tartu");
	char *inv = invite(f, "tartu", "1h");
	struct uccn_invite parsed;
	char err[256], forged[UCCN_INVITE_MAX_TEXT];
	assert_int_equal(uccn_invite_parse(inv, &parsed, err, sizeof err), 0);
	parsed.secret[7] ^= 1;
	assert_true(uccn_invite_format(&parsed, forged, sizeof forged) > 0);
	join(f, "tartu-forged", forged);
	h_assert_exit(&f->r, 4);
	assert_non_null(strstr(f->r.err, "invitation not valid"));

	char *cut = strdup(inv);
	cut[strlen(cut) - 3] = '\0';
	join(f, "tartu-cut", cut);
	h_assert_exit(&f->r, 2);
	assert_non_null(strstr(f->r.err, "damaged or cut short"));

	join(f, "tartu", inv);
	h_assert_exit(&f->r, 0);
	free(cut);
	free(inv);
}

/* Send one request on a DEALER and read its reply (op says which). */
static int ask(void *sock, struct uccn_request *req, struct uccn_reply *rep)
{
	msgpack_sbuffer b;
	char err[256];
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(req, &b), 0);
	assert_true(zmq_send(sock, b.data, b.size, 0) >= 0);
	msgpack_sbuffer_destroy(&b);
	zmq_pollitem_t it = {.socket = sock, .events = ZMQ_POLLIN};
	if (zmq_poll(&it, 1, H_REPLY_MS) != 1)
		return UCCN_E_TIMEOUT;
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), req->op, rep, err, sizeof err);
	zmq_msg_close(&m);
	return rc;
}

/* A stranger's key with no invitation: while one is pending for another
 * city it gets in as a guest, but its enrolment gets exactly what a wrong
 * invitation gets and every other op is denied; the daemon serves on. */
static void test_stranger_gets_nothing(void **state)
{
	struct fx *f = *state;
	register_keyless(f, "kuhmo");
	char *inv = invite(f, "kuhmo", "1h");
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	size_t len = 0;
	char *text = h_read_file(f->d->server_pub, &len);
	assert_int_equal(uccn_keyfile_parse(text, len, spub, ssec), 0);
	free(text);
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	void *ctx = zmq_ctx_new();
	void *s = h_dealer_keys(ctx, f->d->endpoint, spub, pub, sec);
	assert_non_null(s);

	for (int i = 0; i < 3; i++) {
		struct uccn_request req = {.op = UCCN_OP_CITY_ENROL};
		struct uccn_reply rep = {0};
		req.city.id = strdup(i == 2 ? "coordinator" : "kuhmo");
		req.secret = strdup("00112233445566778899aabbccddeeff00112233445566778899aabbccddee0f");
		memcpy(req.city.key, pub, sizeof req.city.key);
		assert_int_equal(ask(s, &req, &rep), 0);
		assert_int_equal(rep.status, UCCN_E_DENIED);
		assert_string_equal(rep.message, "invitation not valid");
		uccn_reply_clear(&rep);
		uccn_request_clear(&req);
	}
	struct uccn_request st = {.op = UCCN_OP_LIST};
	struct uccn_reply rep = {0};
	assert_int_equal(ask(s, &st, &rep), 0);
	assert_int_equal(rep.status, UCCN_E_DENIED);
	assert_int_equal(rep.nposts, 0);
	uccn_reply_clear(&rep);
	zmq_close(s);
	h_ctx_term(ctx);

	/* The coordinator is served, and the real invitation still works. */
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	join(f, "kuhmo", inv);
	h_assert_exit(&f->r, 0);
	assert_true(h_daemon_running(f->d));
	free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_join_then_post_without_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_and_truncated_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_gets_nothing, setup, teardown),
	};
	return cmocka_run_group_tests_name("join", tests, NULL, NULL);
}
