/*
 * output_state.c - the operator's figures of `uccn status`: sizes in
 * binary units, durations in the two largest units that matter, so a
 * glance tells whether the server is healthy.
 */
#include <inttypes.h>
#include <stdio.h>

#include "output_state.h"
#include "uccn_error.h"

/* "12.3 MiB", "640 KiB", "17 B". */
static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

/* "45s", "5m 3s", "3h 12m", "2d 3h". */
static const char *age_text(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* "850 us", "1.2 ms", "2.1 s". */
static const char *micros_text(uint64_t us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%" PRIu64 " us", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1f ms", (double)us / 1e3);
	else
		snprintf(buf, len, "%.1f s", (double)us / 1e6);
	return buf;
}

static void print_refusals(const struct uccn_refusals *r)
{
	const char *sep = "";
	for (int code = 1; code < UCCN_REFUSAL_SLOTS; code++)
		if (r->by_code[code]) {
			printf("%s%s %" PRIu64, sep, uccn_error_name(-code), r->by_code[code]);
			sep = ", ";
		}
	printf("%s\n", *sep ? "" : "none");
}

void output_state_text(const struct uccn_status_info *i)
{
	const struct uccn_server_state *st = &i->state;
	char a[32], b[32], c[32];
	if (!i->has_state)
		return;
	printf("server state:\n");
	printf("  server:     %s, up %s\n", i->server ? i->server : "?",
	       age_text(i->uptime_s, a, sizeof a));
	printf("  data:       %s, %s of a %s map (%" PRIu64 "%%); file %s\n",
	       st->data_dir ? st->data_dir : "?", size_text(st->map_used_bytes, a, sizeof a),
	       size_text(st->map_bytes, b, sizeof b),
	       st->map_bytes ? st->map_used_bytes * 100 / st->map_bytes : 0,
	       size_text(st->data_bytes, c, sizeof c));
	printf("  peers:      %" PRIu64 "\n", st->peers);
	if (st->batches)
		printf("  commits:    p50 %s, p99 %s, %.1f writes a batch (%" PRIu64 " %s)\n",
		       micros_text(st->commit_p50_us, a, sizeof a),
		       micros_text(st->commit_p99_us, b, sizeof b),
		       (double)st->batch_avg_x100 / 100, st->batches,
		       st->batches == 1 ? "batch" : "batches");
	else
		printf("  commits:    none yet\n");
	if (st->mailbox_total)
		printf("  mailboxes:  deepest %" PRIu64 " (%s), %" PRIu64 " unread in all, "
		       "oldest unread %s\n", st->mailbox_max,
		       st->mailbox_max_city ? st->mailbox_max_city : "?", st->mailbox_total,
		       age_text(st->oldest_unread_s, a, sizeof a));
	else
		printf("  mailboxes:  all read\n");
	printf("  refusals:   ");
	print_refusals(&st->refusals);
	printf("  drops:      %" PRIu64 "\n", st->drops);
	printf("  server key: %s\n", st->server_key_fingerprint ? st->server_key_fingerprint : "?");
}

#define JU(key, member) do { json_key(j, key); json_uint(j, st->member); } while (0)

void output_state_json(struct json *j, const struct uccn_status_info *i)
{
	const struct uccn_server_state *st = &i->state;
	if (!i->has_state)
		return;
	json_key(j, "server_state");
	json_object_begin(j);
	json_key(j, "data_dir"); json_str(j, st->data_dir);
	JU("data_bytes", data_bytes);
	JU("map_bytes", map_bytes);
	JU("map_used_bytes", map_used_bytes);
	JU("peers", peers);
	JU("commit_p50_us", commit_p50_us);
	JU("commit_p99_us", commit_p99_us);
	JU("batches", batches);
	JU("writes", writes);
	JU("batch_avg_x100", batch_avg_x100);
	JU("mailbox_total", mailbox_total);
	JU("mailbox_max", mailbox_max);
	json_key(j, "mailbox_max_city"); json_str(j, st->mailbox_max_city);
	JU("oldest_unread_s", oldest_unread_s);
	json_key(j, "refusals");
	json_object_begin(j);
	for (int code = 1; code < UCCN_REFUSAL_SLOTS; code++)
		if (st->refusals.by_code[code]) {
			json_key(j, uccn_error_name(-code));
			json_uint(j, st->refusals.by_code[code]);
		}
	json_object_end(j);
	JU("drops", drops);
	json_key(j, "server_key_fingerprint"); json_str(j, st->server_key_fingerprint);
	json_object_end(j);
}
