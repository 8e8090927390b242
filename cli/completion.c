/*
 * completion.c - `uccn completion bash|zsh|words`: shell completion made
 * from the command table at run time, so a row added to the table is
 * completed without anyone editing a script.
 */
#include <stdio.h>
#include <string.h>

#include "suggest.h"
#include "uccn_records.h"

/* Options whose value is a file name: the shells complete files there. */
static const char *const file_options[] = {
	"--server-key", "--key", "--state", "--output", "-o", NULL,
};

/* The first words, once each, in table order: "post", "city", ... */
static void print_first_words(const struct command *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *w = t[i].group ? t[i].group : t[i].name;
		size_t j = 0;
		while (j < i && strcmp(t[j].group ? t[j].group : t[j].name, w) != 0)
			j++;
		if (j == i)
			printf("%s%s", i ? " " : "", w);
	}
}

static void print_options(const struct cli_optname *o, size_t n, bool values_only)
{
	bool first = true;
	for (size_t i = 0; i < n; i++)
		if (!values_only || o[i].value) {
			printf("%s%s", first ? "" : " ", o[i].name);
			first = false;
		}
}

/* Every option of every row that takes a value, once (globals too). */
static void print_value_options(const struct command *t, size_t n)
{
	struct cli_optname all[256];
	size_t m = cli_global_options(all, 8);
	for (size_t i = 0; i < n; i++) {
		struct cli_optname o[CLI_MAX_OPTNAMES];
		size_t k = cli_command_options(&t[i], o, CLI_MAX_OPTNAMES);
		for (size_t j = 0; j < k && m < sizeof all / sizeof all[0]; j++) {
			bool seen = false;
			for (size_t x = 0; x < m && !seen; x++)
				seen = strcmp(all[x].name, o[j].name) == 0;
			if (!seen && o[j].value)
				all[m++] = o[j];
		}
	}
	print_options(all, m, true);
}

static void print_words(const struct command *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cli_optname o[CLI_MAX_OPTNAMES];
		size_t k = cli_command_options(&t[i], o, CLI_MAX_OPTNAMES);
		printf("%s%s%s", t[i].group ? t[i].group : "", t[i].group ? " " : "", t[i].name);
		for (size_t j = 0; j < k; j++)
			printf(" %s%s", o[j].name, o[j].value ? "=" : "");
		putchar('\n');
	}
}

/* The part both shells share: find the command words before the cursor,
 * then set `list` to what may come next. Bash and zsh read it alike. */
static void print_script_body(const struct command *t, size_t n, int first_index)
{
	struct cli_optname g[8];
	size_t ng = cli_global_options(g, 8);

	printf("\tlocal cmd= sub= w i list= files=\n");
	printf("\tlocal groups=' ");
	for (size_t i = 0; i < n; i++)
		if (t[i].group && (i == 0 || !t[i - 1].group || strcmp(t[i - 1].group, t[i].group)))
			printf("%s ", t[i].group);
	printf("'\n\tlocal global_values=' ");
	print_options(g, ng, true);
	printf(" '\n\tlocal values=' ");
	print_value_options(t, n);
	printf(" '\n\tlocal file_values=' ");
	for (size_t i = 0; file_options[i]; i++)
		printf("%s ", file_options[i]);
	printf("'\n");
	printf("\tfor ((i = %d; i < cword; i++)); do\n"
	       "\t\tw=${cwords[i]}\n"
	       "\t\tcase $w in\n"
	       "\t\t--*=*) ;;\n"
	       "\t\t-*) [[ $values == *\" $w \"* ]] && ((i++)) ;;\n"
	       "\t\t*) if [[ -z $cmd ]]; then cmd=$w\n"
	       "\t\t\telif [[ -z $sub && $groups == *\" $cmd \"* ]]; then sub=$w; fi ;;\n"
	       "\t\tesac\n"
	       "\tdone\n", first_index);
	/* The value of an option: files, post kinds, or nothing to offer. */
	printf("\tif [[ $cur != -* && $values == *\" $prev \"* ]]; then\n"
	       "\t\tif [[ $file_values == *\" $prev \"* ]]; then files=1\n"
	       "\t\telif [[ $prev == --kind && ( $cmd == post || $cmd == list || $cmd == watch ) ]]; then\n"
	       "\t\t\tlist='");
	for (size_t i = 0; uccn_post_kinds[i]; i++)
		printf("%s%s", i ? " " : "", uccn_post_kinds[i]);
	printf("'\n\t\tfi\n");
	printf("\telif [[ -z $cmd ]]; then\n\t\tlist='");
	print_first_words(t, n);
	printf(" ");
	print_options(g, ng, false);
	printf("'\n\telif [[ $groups == *\" $cmd \"* && -z $sub ]]; then\n\t\tcase $cmd in\n");
	for (size_t i = 0; i < n; i++) {
		if (!t[i].group || (i > 0 && t[i - 1].group && !strcmp(t[i - 1].group, t[i].group)))
			continue;
		printf("\t\t%s) list='", t[i].group);
		for (size_t j = i; j < n && t[j].group && !strcmp(t[j].group, t[i].group); j++)
			printf("%s%s", j > i ? " " : "", t[j].name);
		printf("' ;;\n");
	}
	printf("\t\tesac\n\telse\n\t\tcase \"$cmd${sub:+ $sub}\" in\n");
	for (size_t i = 0; i < n; i++) {
		struct cli_optname o[CLI_MAX_OPTNAMES];
		size_t k = cli_command_options(&t[i], o, CLI_MAX_OPTNAMES);
		printf("\t\t'%s%s%s') list='", t[i].group ? t[i].group : "",
		       t[i].group ? " " : "", t[i].name);
		print_options(o, k, false);
		printf("' ;;\n");
	}
	printf("\t\tesac\n\t\tif [[ $cur == -* ]]; then list=\"$list ");
	print_options(g, ng, false);
	printf("\"; else list= files=1; fi\n\tfi\n");
}

static void print_bash(const struct command *t, size_t n)
{
	printf("# bash completion for uccn: made by `uccn completion bash` from its\n"
	       "# command table; regenerate it rather than edit it.\n"
	       "_uccn()\n{\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\tlocal cword=$COMP_CWORD\n"
	       "\tlocal -a cwords=(\"${COMP_WORDS[@]}\")\n");
	print_script_body(t, n, 1);
	printf("\tCOMPREPLY=($(compgen -W \"$list\" -- \"$cur\"))\n"
	       "\t[[ -n $files ]] && COMPREPLY+=($(compgen -f -- \"$cur\"))\n"
	       "\treturn 0\n}\n"
	       "complete -F _uccn uccn\n");
}

static void print_zsh(const struct command *t, size_t n)
{
	printf("#compdef uccn\n"
	       "# zsh completion for uccn: made by `uccn completion zsh` from its\n"
	       "# command table; regenerate it rather than edit it.\n"
	       "_uccn()\n{\n"
	       "\tlocal cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n"
	       "\tlocal cword=$CURRENT\n"
	       "\tlocal -a cwords\n"
	       "\tcwords=(\"${words[@]}\")\n");
	print_script_body(t, n, 2);
	printf("\t[[ -n $list ]] && compadd -- ${=list}\n"
	       "\t[[ -n $files ]] && _files\n"
	       "\treturn 0\n}\n"
	       "_uccn \"$@\"\n");
}

int cmd_completion(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if (optind + 1 != argc)
		return cli_usage(cmd, "say which: bash, zsh or words");
	size_t n;
	const struct command *t = cli_commands(&n);
	const char *shell = argv[optind];
	if (strcmp(shell, "bash") == 0)
		print_bash(t, n);
	else if (strcmp(shell, "zsh") == 0)
		print_zsh(t, n);
	else if (strcmp(shell, "words") == 0)
		print_words(t, n);
	else {
		static const char *const shells[] = {"bash", "zsh", "words"};
		const char *near = cli_suggest(shell, shells, 3);
		if (near)
			return cli_usage(cmd, "no completion for '%s'; did you mean '%s'?", shell, near);
		return cli_usage(cmd, "no completion for '%s': say bash, zsh or words", shell);
	}
out:
	return rc;
}
