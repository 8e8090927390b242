/*
 * test_notice.c - the notice of a published agenda (daemon/notice.c): its
 * words and whom it reaches, worked out from hand-made records without a
 * store or a daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/notice.h"
#include "uccn_error.h"

#define KEY "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define MAX_TOWNS 16

/* The cities the store would hold: an id, a field, with a key or not. */
struct town {
	const char *id, *field;
	bool key;
};

struct fx {
	struct uccn_meeting m;
	struct uccn_city hosts[MAX_TOWNS];
	struct server_notice n;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	*state = f;
	return f ? 0 : -1;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	uccn_meeting_clear(&f->m);
	for (size_t i = 0; i < MAX_TOWNS; i++)
		uccn_city_clear(&f->hosts[i]);
	server_notice_clear(&f->n);
	free(f);
	return 0;
}

/* Meeting id of field (NULL: none), hosted by the NULL-terminated hosts;
 * each host's record is looked up in towns, and left clear when absent,
 * as uccnd does with a host it cannot read. */
static void meeting(struct fx *f, const char *id, const char *field, const char *const *hosts,
		    const struct town *towns, size_t ntowns)
{
	assert_int_equal(uccn_str_set(&f->m.id, id), 0);
	assert_int_equal(uccn_str_set(&f->m.field, field), 0);
	for (size_t i = 0; hosts[i]; i++) {
		assert_true(i < MAX_TOWNS);
		assert_int_equal(uccn_idlist_add(&f->m.hosts, hosts[i]), 0);
		for (size_t j = 0; j < ntowns; j++) {
			if (strcmp(towns[j].id, hosts[i]) != 0)
				continue;
			struct uccn_city *c = &f->hosts[i];
			assert_int_equal(uccn_str_set(&c->id, towns[j].id), 0);
			assert_int_equal(uccn_str_set(&c->field, towns[j].field), 0);
			snprintf(c->key, sizeof c->key, "%s", towns[j].key ? KEY : "");
		}
	}
}

static void build(struct fx *f, const char *by, uint64_t version, size_t nentries)
{
	server_notice_clear(&f->n);
	assert_int_equal(server_notice_build(&f->m, f->hosts, by, version, nentries, &f->n), 0);
}

/* l holds exactly the NULL-terminated want, in order. */
static void assert_list(const struct uccn_idlist *l, const char *const *want, const char *what)
{
	size_t n = 0;
	while (want[n])
		n++;
	bool same = l->n == n;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(l->v[i], want[i]) == 0;
	if (same)
		return;
	char buf[800];
	size_t off = (size_t)snprintf(buf, sizeof buf, "%s: got", what);
	for (size_t i = 0; i < l->n && off < sizeof buf - 80; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, " %s", l->v[i]);
	off += (size_t)snprintf(buf + off, sizeof buf - off, "; want");
	for (size_t i = 0; i < n && off < sizeof buf - 80; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, " %s", want[i]);
	fail_msg("%s", buf);
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

/* The post is the publisher's news about the meeting, valid as a post. */
static void assert_news(const struct fx *f, const char *by)
{
	const struct uccn_post *p = &f->n.post;
	char why[200] = "";
	assert_string_equal(p->city, by);
	assert_string_equal(p->kind, "news");
	assert_string_equal(p->meeting, f->m.id);
	assert_null(p->project);
	assert_null(p->idem_key);
	if (uccn_post_check(p, why, sizeof why))
		fail_msg("the notice is no valid post: %s", why);
}

static const struct town design_towns[] = {
	{"zagreb", "design", true},
	{"lyon", "design", true},
	{"kotor", "design", false},
	{"dakar", "music", true},
	{"bogota", "design", true},
	{"bamako", "music", false},
};
#define NDESIGN (sizeof design_towns / sizeof design_towns[0])

/* A meeting of a field goes to the field: its cities with a key hear of
 * it through their mailboxes. A host of another field with a key gets it
 * directly; the publisher, a keyless host and a host with no record are
 * told nothing more. */
static void test_field_meeting(void **state)
{
	struct fx *f = *state;
	meeting(f, "design-agm-2026", "design",
		LIST("zagreb", "kotor", "dakar", "ghost", "bamako", "lyon"), design_towns, NDESIGN);
	build(f, "zagreb", 1, 4);
	assert_news(f, "zagreb");
	assert_list(&f->n.post.to, LIST("field:design"), "to, by zagreb");
	assert_list(&f->n.direct, LIST("dakar"), "direct, by zagreb");

	/* published by the host of the other field: the field alone */
	build(f, "dakar", 2, 4);
	assert_news(f, "dakar");
	assert_list(&f->n.post.to, LIST("field:design"), "to, by dakar");
	assert_list(&f->n.direct, NONE, "direct, by dakar");

	/* published by a city that hosts nothing: the same as by zagreb */
	build(f, "bogota", 3, 4);
	assert_list(&f->n.post.to, LIST("field:design"), "to, by bogota");
	assert_list(&f->n.direct, LIST("dakar"), "direct, by bogota");
}

/* A meeting of no field goes to its hosts as city:ID, up to
 * UCCN_MAX_AUDIENCE, whatever their field; the rest get it directly, in
 * the order of the hosts. Never the publisher, a keyless host or a host
 * with no record. */
static void test_meeting_of_no_field(void **state)
{
	struct fx *f = *state;
	meeting(f, "wg-maps", NULL, LIST("dakar", "kotor", "zagreb"), design_towns, NDESIGN);
	build(f, "zagreb", 1, 2);
	assert_news(f, "zagreb");
	assert_list(&f->n.post.to, LIST("city:dakar"), "to, by zagreb");
	assert_list(&f->n.direct, NONE, "direct, by zagreb");
	/* by a city that is none of them: every keyed host */
	build(f, "lyon", 2, 2);
	assert_list(&f->n.post.to, LIST("city:dakar", "city:zagreb"), "to, by lyon");
	assert_list(&f->n.direct, NONE, "direct, by lyon");
}

static void test_more_hosts_than_an_audience(void **state)
{
	struct fx *f = *state;
	static const struct town towns[] = {
		{"ha", "design", true}, {"hb", "design", true}, {"hc", "design", false},
		{"hd", "design", true}, {"he", "music", true}, {"hf", "design", true},
		{"hg", "design", true}, {"hh", "design", true}, {"hi", "design", true},
		{"hj", "design", true}, {"hk", "design", true}, {"hl", "design", true},
	};
	meeting(f, "wg-many", NULL,
		LIST("ha", "hb", "hc", "hd", "ghost", "he", "hf", "hg", "hh", "hi", "hj", "hk",
		     "hl"),
		towns, sizeof towns / sizeof towns[0]);
	assert_int_equal(UCCN_MAX_AUDIENCE, 8);
	build(f, "ha", 1, 0);
	assert_news(f, "ha");
	/* the first eight keyed hosts but the publisher, skipping hc (no key)
	 * and ghost (no record); the rest directly */
	assert_list(&f->n.post.to,
		    LIST("city:hb", "city:hd", "city:he", "city:hf", "city:hg", "city:hh",
			 "city:hi", "city:hj"), "to");
	assert_list(&f->n.direct, LIST("hk", "hl"), "direct");
	/* exactly eight: nobody directly */
	build(f, "hk", 2, 0);
	assert_list(&f->n.post.to,
		    LIST("city:ha", "city:hb", "city:hd", "city:he", "city:hf", "city:hg",
			 "city:hh", "city:hi"), "to, by hk");
	assert_list(&f->n.direct, LIST("hj", "hl"), "direct, by hk");
}

/* The words, exactly: cities read them in their inbox and `uccn list`. */
static void test_texts(void **state)
{
	struct fx *f = *state;
	meeting(f, "design-agm-2026", "design", LIST("zagreb"), design_towns, NDESIGN);
	build(f, "lyon", 3, 12);
	assert_string_equal(f->n.post.title, "Agenda of design-agm-2026: version 3 published");
	assert_string_equal(f->n.post.body,
			    "Version 3 of the agenda of meeting design-agm-2026 is published "
			    "(12 entries). See it with: uccn agenda design-agm-2026");
	build(f, "lyon", 1, 0);
	assert_string_equal(f->n.post.title, "Agenda of design-agm-2026: version 1 published");
	assert_non_null(strstr(f->n.post.body, "(0 entries)"));
}

/* The longest meeting id and version still make a valid post: a notice
 * the store refused would refuse the publish. */
static void test_longest_still_a_post(void **state)
{
	struct fx *f = *state;
	char id[UCCN_MAX_ID + 1], field[UCCN_MAX_FIELD + 1];
	memset(id, 'm', UCCN_MAX_ID);
	id[UCCN_MAX_ID] = '\0';
	memset(field, 'f', UCCN_MAX_FIELD);
	field[UCCN_MAX_FIELD] = '\0';
	meeting(f, id, field, LIST("zagreb"), design_towns, NDESIGN);
	build(f, "lyon", UINT64_MAX, UCCN_MAX_AGENDA_ENTRIES);
	assert_news(f, "lyon");
	assert_non_null(strstr(f->n.post.title, "18446744073709551615"));
	assert_non_null(strstr(f->n.post.body, id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_field_meeting),
		T(test_meeting_of_no_field),
		T(test_more_hosts_than_an_audience),
		T(test_texts),
		T(test_longest_still_a_post),
#undef T
	};
	return cmocka_run_group_tests_name("notice", tests, NULL, NULL);
}
