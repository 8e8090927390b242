/*
 * suggest.h - what uccn's edges share: "did you mean" by edit distance,
 * the options a command's table row names, and the completion command.
 */
#ifndef UCCN_CLI_SUGGEST_H
#define UCCN_CLI_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* The command table (main.c): all of it, in help order. */
const struct command *cli_commands(size_t *n);

/* Damerau-Levenshtein distance (optimal string alignment: a swap of two
 * neighbours costs one) between a and b, in bytes. */
size_t cli_edit_distance(const char *a, const char *b);
/* The candidate nearest to word, or NULL when none is near enough: a
 * distance of at most a third of word's length (one at least), and less
 * than the candidate's own length. Ties go to the first. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t n);

/* An option a command's row names in its usage or help text. */
struct cli_optname {
	char name[32];   /* "--kind" */
	bool value;      /* takes a value ("--kind K") */
};
#define CLI_MAX_OPTNAMES 48
/* The long options of cmd, from its usage line (then its help), in order,
 * each once; "[project add's options]" brings in that row's. The global
 * options are not among them. Returns how many went to out. */
size_t cli_command_options(const struct command *cmd, struct cli_optname *out,
			   size_t max);
/* The global options, as the same rows. */
size_t cli_global_options(struct cli_optname *out, size_t max);

/* A command's word that getopt would take for options but cannot be one:
 * "-" followed by neither a letter nor '-' ("- item one", "-5 degrees").
 * Removes the first such word before any "--" from argv (shifting the rest
 * down, *argc one less) and returns it, or returns NULL. A word that is
 * the value of the option before it (by opts) stays. */
const char *cli_take_dash_argument(int *argc, char **argv, const struct option *opts);

int cmd_completion(struct cli *g, const struct command *cmd, int argc, char **argv);

#endif
