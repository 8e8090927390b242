/*
 * mode_check.c - uccnd --check: the store's check (store/check.c) printed
 * for people, one line per inconsistency and a summary, or as JSON Lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mode_check.h"
#include "uccn_json.h"
#include "uccn_error.h"
#include "uccn_store.h"

struct printer {
	bool json;
	bool tty;
	time_t last;
};

static void print_finding(const char *table, const char *key, const char *problem, void *ctx)
{
	const struct printer *p = ctx;
	if (!p->json) {
		printf("%s %s: %s\n", table, key, problem);
		return;
	}
	fputs("{\"table\": ", stdout);
	uccn_json_write_str(stdout, table, strlen(table));
	fputs(", \"key\": ", stdout);
	uccn_json_write_str(stdout, key, strlen(key));
	fputs(", \"problem\": ", stdout);
	uccn_json_write_str(stdout, problem, strlen(problem));
	fputs("}\n", stdout);
}

static void print_progress(uint64_t records, void *ctx)
{
	struct printer *p = ctx;
	time_t now = time(NULL);
	if (!p->tty || now == p->last)
		return;
	p->last = now;
	fprintf(stderr, "\ruccnd: checked %llu records...", (unsigned long long)records);
}

int mode_check_run(const char *dir, bool json)
{
	struct printer p = {.json = json, .tty = isatty(STDERR_FILENO) == 1};
	struct uccn_check_totals tot;
	char err[512];
	int rc = uccn_store_check(dir, print_finding, print_progress, &p, &tot, err, sizeof err);
	if (p.last)
		fputs("\r\033[K", stderr);
	if (rc) {
		fprintf(stderr, "uccnd: cannot check %s: %s\n", dir, err[0] ? err : uccn_strerror(rc));
		return 1;
	}
	const char *pages = tot.pages_damaged ? "damaged" : tot.pages_checked ? "checked" :
			    "not walked (a uccnd serves the directory)";
	if (json)
		printf("{\"summary\": {\"records\": %llu, \"inconsistencies\": %llu, "
		       "\"last_seq\": %llu, \"pages\": \"%s\"}}\n",
		       (unsigned long long)tot.records, (unsigned long long)tot.problems,
		       (unsigned long long)tot.last_seq,
		       tot.pages_damaged ? "damaged" : tot.pages_checked ? "checked" : "skipped");
	else
		printf("%s: %llu records checked, last seq %llu, pages %s: %llu %s\n", dir,
		       (unsigned long long)tot.records, (unsigned long long)tot.last_seq, pages,
		       (unsigned long long)tot.problems,
		       tot.problems == 1 ? "inconsistency" : "inconsistencies");
	fflush(stdout);
	return tot.problems ? 1 : 0;
}
