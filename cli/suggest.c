/*
 * suggest.c - "did you mean": the nearest word by Damerau-Levenshtein
 * distance, the options a command's row names, and arguments that look
 * like options but cannot be.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

/* Words on a command line are short; longer ones are not typos of ours. */
#define MAX_WORD 64

size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAX_WORD || lb > MAX_WORD)
		return la > lb ? la : lb;
	/* Three rows suffice: the swap looks two back. */
	size_t rows[3][MAX_WORD + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word);
	/* A third of the word: "lsit" may be "list", but "x" is not "ls". */
	size_t limit = len / 3 > 0 ? len / 3 : 1;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i])
			continue;
		size_t d = cli_edit_distance(word, candidates[i]);
		if (d < best_d && d < strlen(candidates[i]) && d < len) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}

static bool have(const struct cli_optname *out, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(out[i].name) == len && memcmp(out[i].name, name, len) == 0)
			return true;
	return false;
}

/* In help text an option is described where a line starts with it
 * ("  --kind K", "  -o, --output FILE", "  --start, --end"); elsewhere
 * it is only mentioned ("(also --json)"). */
static bool option_line(const char *text, const char *at)
{
	const char *line = at;
	while (line > text && line[-1] != '\n')
		line--;
	while (line < at && *line == ' ')
		line++;
	return line == at || (at - line >= 2 && at[-1] == ' ' && at[-2] == ',');
}

static bool is_global(const char *name, size_t len)
{
	struct cli_optname g[8];
	return have(g, cli_global_options(g, 8), name, len);
}

/* Collect "--name" words of text. In a usage line a value follows after
 * one space ("--kind K", "--pin [DAY:]HH:MM"); in help text it is one
 * space and a capital ("  --kind K        only this kind"). */
static size_t scan(const char *text, bool usage, struct cli_optname *out, size_t n,
		   size_t max)
{
	for (const char *p = text; (p = strstr(p, "--")) != NULL && n < max; ) {
		const char *s = p;
		p += 2;
		if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '-'))
			continue;
		if (!islower((unsigned char)*p) || (!usage && !option_line(text, s)))
			continue;
		while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-')
			p++;
		size_t len = (size_t)(p - s);
		if (len >= sizeof out[0].name || have(out, n, s, len) ||
		    (!usage && is_global(s, len)))
			continue;
		memcpy(out[n].name, s, len);
		out[n].name[len] = '\0';
		if (usage)
			out[n].value = p[0] == ' ' && p[1] && !strchr("-|", p[1]);
		else
			out[n].value = p[0] == ' ' && isupper((unsigned char)p[1]);
		n++;
	}
	return n;
}

static const struct command *find_row(const char *group, size_t glen, const char *name,
				      size_t nlen)
{
	size_t n;
	const struct command *t = cli_commands(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].group && strlen(t[i].group) == glen && !strncmp(t[i].group, group, glen) &&
		    strlen(t[i].name) == nlen && !strncmp(t[i].name, name, nlen))
			return &t[i];
	return NULL;
}

size_t cli_command_options(const struct command *cmd, struct cli_optname *out, size_t max)
{
	size_t n = scan(cmd->usage, true, out, 0, max);
	/* "[project add's options]": that row's options are this one's too. */
	const char *ref = strstr(cmd->usage, "'s options]");
	if (ref) {
		const char *open = ref;
		while (open > cmd->usage && open[-1] != '[')
			open--;
		const char *sp = memchr(open, ' ', (size_t)(ref - open));
		const struct command *other = sp ? find_row(open, (size_t)(sp - open), sp + 1,
							      (size_t)(ref - sp - 1)) : NULL;
		if (other && other != cmd) {
			struct cli_optname more[CLI_MAX_OPTNAMES];
			size_t m = cli_command_options(other, more, CLI_MAX_OPTNAMES);
			for (size_t i = 0; i < m && n < max; i++)
				if (!have(out, n, more[i].name, strlen(more[i].name)))
					out[n++] = more[i];
		}
	}
	return scan(cmd->help, false, out, n, max);
}

size_t cli_global_options(struct cli_optname *out, size_t max)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {"version", 0, NULL, 0}};
	size_t n = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0] && n < max; i++, n++) {
		snprintf(out[n].name, sizeof out[n].name, "--%s", opts[i].name);
		out[n].value = opts[i].has_arg == required_argument;
	}
	return n;
}

/* Whether word, an option, takes the next word as its value. */
static bool takes_next(const char *word, const struct option *opts)
{
	if (word[0] != '-' || word[1] != '-' || strchr(word, '='))
		return false;
	for (const struct option *o = opts; o->name; o++)
		if (strcmp(word + 2, o->name) == 0)
			return o->has_arg == required_argument;
	return false;
}

const char *cli_take_dash_argument(int *argc, char **argv, const struct option *opts)
{
	for (int i = 1; i < *argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--") == 0)
			return NULL;
		if (takes_next(w, opts)) {
			i++;
			continue;
		}
		if (w[0] != '-' || w[1] == '\0' || w[1] == '-' || isalpha((unsigned char)w[1]))
			continue;
		memmove(&argv[i], &argv[i + 1], sizeof argv[0] * (size_t)(*argc - i));
		(*argc)--;
		return w;
	}
	return NULL;
}
