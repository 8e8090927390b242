/*
 * test_conformance.c - end-to-end: what a client written from proto/SPEC.md
 * alone expects, over a raw CURVE DEALER with a registered key (issue 14,
 * failure 15): frame limits, import roles and indexes, watch's since, and
 * the per-connection credit.
 */
#include "../harness/harness.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"

struct fx {
	char *dir;
	h_daemon_t *d;
	char key[PATH_MAX];   /* granada's key file, a member */
	void *ctx;
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || !(f->ctx = zmq_ctx_new()) || h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "granada", "Granada", f->key) != 0) {
		if (f && f->ctx)
			h_ctx_term(f->ctx);
		if (f)
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
	h_ctx_term(f->ctx);
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* One reply within ms, decoded as op into rep; false on timeout. */
static bool recv_reply(void *s, int ms, enum uccn_op op, struct uccn_reply *rep)
{
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	zmq_msg_t m;
	char err[256];
	memset(rep, 0, sizeof *rep);
	if (zmq_poll(&it, 1, ms) <= 0 || !(it.revents & ZMQ_POLLIN))
		return false;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, s, 0) >= 0);
	int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), op, rep, err, sizeof err);
	zmq_msg_close(&m);
	if (rc)
		fail_msg("a reply does not decode: %s", err);
	return true;
}

/* Send one request frame. */
static void send_raw(void *s, const msgpack_sbuffer *sb)
{
	assert_int_equal(zmq_send(s, sb->data, sb->size, 0), (int)sb->size);
}

static void pk_str(msgpack_packer *pk, const char *str)
{
	msgpack_pack_str(pk, strlen(str));
	msgpack_pack_str_body(pk, str, strlen(str));
}

/* The header of a request map of n keys besides v, rid and op. */
static void header(msgpack_packer *pk, size_t n, uint64_t rid, const char *op)
{
	msgpack_pack_map(pk, 3 + n);
	pk_str(pk, "v"); msgpack_pack_uint64(pk, 1);
	pk_str(pk, "rid"); msgpack_pack_uint64(pk, rid);
	pk_str(pk, "op"); pk_str(pk, op);
}

/* A status request of exactly len bytes, padded with an unknown key. */
static void padded_status(msgpack_sbuffer *sb, size_t len)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_sbuffer_clear(sb);
	header(&pk, 1, 5, "status");
	pk_str(&pk, "pad");
	size_t pad = len - sb->size - 5; /* str 32: 0xdb and 4 bytes of length */
	char *p = malloc(pad);
	assert_non_null(p);
	memset(p, 'p', pad);
	msgpack_pack_str(&pk, pad);
	msgpack_pack_str_body(&pk, p, pad);
	free(p);
	assert_int_equal(sb->size, len);
}

/* SPEC 2: a frame at the limit is served; every larger one, however little
 * larger, drops the connection with no reply (never too_big). */
static void test_frame_limit_one_rule(void **state)
{
	struct fx *f = *state;
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct uccn_reply rep;
	size_t sizes[] = {UCCN_MAX_REQUEST_FRAME, UCCN_MAX_REQUEST_FRAME + 1,
			  UCCN_MAX_REQUEST_FRAME + 31, UCCN_MAX_REQUEST_FRAME + 33};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		void *s = h_dealer_new(f->ctx, f->d, f->key);
		assert_non_null(s);
		padded_status(&sb, sizes[i]);
		send_raw(s, &sb);
		bool got = recv_reply(s, i == 0 ? H_REPLY_MS : 1500, UCCN_OP_STATUS, &rep);
		fprintf(stderr, "note: %zu-byte frame -> %s\n", sizes[i],
			got ? uccn_error_name(rep.status) : "no reply");
		if (i == 0) {
			assert_true(got);
			assert_int_equal(rep.status, 0);
		} else {
			assert_false(got);
		}
		uccn_reply_clear(&rep);
		zmq_close(s);
	}
	msgpack_sbuffer_destroy(&sb);
	assert_true(h_daemon_running(f->d));
}

/* SPEC 4.17: since is required. */
static void test_watch_needs_since(void **state)
{
	struct fx *f = *state;
	void *s = h_dealer_new(f->ctx, f->d, f->key);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct uccn_reply rep;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	header(&pk, 0, 8, "watch");
	send_raw(s, &sb);
	assert_true(recv_reply(s, H_REPLY_MS, UCCN_OP_WATCH, &rep));
	assert_int_equal(rep.status, UCCN_E_INVALID);
	assert_int_equal(rep.rid, 8);
	assert_non_null(strstr(rep.message, "since"));
	uccn_reply_clear(&rep);
	msgpack_sbuffer_destroy(&sb);
	zmq_close(s);
}

/* One city map for an import: id, name, field, and what extra adds. */
static void import_city(msgpack_packer *pk, const char *id, const char *role, bool lat_only)
{
	msgpack_pack_map(pk, 3 + (role != NULL) + lat_only);
	pk_str(pk, "id"); pk_str(pk, id);
	pk_str(pk, "name"); pk_str(pk, id);
	pk_str(pk, "field"); pk_str(pk, "film");
	if (role) {
		pk_str(pk, "role"); pk_str(pk, role);
	}
	if (lat_only) {
		pk_str(pk, "lat"); msgpack_pack_double(pk, 41.0);
	}
}

/* SPEC 4.12: an import sets member data only, and names the city at fault. */
static void test_import_roles_and_index(void **state)
{
	struct fx *f = *state;
	h_daemon_t *d = f->d;
	void *s = h_dealer_new(f->ctx, d, d->coordinator_key);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct uccn_reply rep;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	header(&pk, 1, 20, "city.import");
	pk_str(&pk, "cities");
	msgpack_pack_array(&pk, 2);
	import_city(&pk, "norole", NULL, false);
	import_city(&pk, "usurper", "coordinator", false);
	send_raw(s, &sb);
	assert_true(recv_reply(s, H_REPLY_MS, UCCN_OP_CITY_IMPORT, &rep));
	if (rep.status)
		fail_msg("import: %s: %s", uccn_error_name(rep.status), rep.message);
	assert_int_equal(rep.added, 2);
	uccn_reply_clear(&rep);
	h_uccn(&f->r, d, d->coordinator_key, NULL, "city", "show", "usurper", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "member"));
	assert_null(strstr(f->r.out, "coordinator"));

	/* A city the decoder refuses (lat without lon) is named by index. */
	msgpack_sbuffer_clear(&sb);
	header(&pk, 1, 21, "city.import");
	pk_str(&pk, "cities");
	msgpack_pack_array(&pk, 3);
	import_city(&pk, "one", NULL, false);
	import_city(&pk, "two", NULL, false);
	import_city(&pk, "three", NULL, true);
	send_raw(s, &sb);
	assert_true(recv_reply(s, H_REPLY_MS, UCCN_OP_CITY_IMPORT, &rep));
	assert_int_equal(rep.status, UCCN_E_INVALID);
	assert_int_equal(rep.error_index, 3);
	uccn_reply_clear(&rep);
	msgpack_sbuffer_destroy(&sb);
	zmq_close(s);
}

/* SPEC 2.1 and 4.17: 1,100 watches on one connection: every one is
 * answered, the ones past the city's share of watch slots (which is below
 * the credit) at once with busy, the held ones when their wait runs out. */
static void test_credit_every_request_answered(void **state)
{
	struct fx *f = *state;
	enum { N = 1100 };
	void *s = h_dealer_new(f->ctx, f->d, f->key);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct uccn_reply rep;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	int64_t sent_ms = h_now_ms(); /* no watch is held from before this */
	for (uint64_t i = 1; i <= N; i++) {
		msgpack_sbuffer_clear(&sb);
		header(&pk, 2, i, "watch");
		pk_str(&pk, "since"); msgpack_pack_uint64(&pk, 1000000);
		pk_str(&pk, "wait"); msgpack_pack_uint64(&pk, 20000);
		send_raw(s, &sb);
	}
	/* Counted by kind, not by order: on a slow machine the held ones'
	 * wait may run out before the last busy reply is read. A held one is
	 * answered when its 20 s are over, never before (the bound allows a
	 * second for clocks read at other moments). */
	size_t busy = 0, held = 0, got = 0;
	int64_t first_held_ms = -1;
	while (got < N && recv_reply(s, 30000, UCCN_OP_WATCH, &rep)) {
		got++;
		if (rep.status == UCCN_E_BUSY)
			busy++;
		else if (rep.status == 0 && held++ == 0)
			first_held_ms = h_now_ms() - sent_ms;
		else if (rep.status != 0)
			fail_msg("watch %" PRIu64 ": %s: %s", rep.rid,
				 uccn_error_name(rep.status), rep.message);
		uccn_reply_clear(&rep);
	}
	fprintf(stderr, "note: %zu replies, %zu busy, %zu held until their wait ran out "
		"(the first answered %" PRId64 " ms after the first request)\n", got, busy, held,
		first_held_ms);
	assert_int_equal(got, N);
	assert_int_equal(busy, N - UCCN_MAX_WATCHES_PER_CITY);
	assert_int_equal(held, UCCN_MAX_WATCHES_PER_CITY);
	assert_true(first_held_ms >= 19000);
	msgpack_sbuffer_destroy(&sb);
	zmq_close(s);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_limit_one_rule),
		cmocka_unit_test(test_watch_needs_since),
		cmocka_unit_test(test_import_roles_and_index),
		cmocka_unit_test(test_credit_every_request_answered),
	};
	return cmocka_run_group_tests_name("e2e_conformance", tests, setup, teardown);
}
