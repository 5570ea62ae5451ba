/*
 * args.h - the commands' table entries and their parsed arguments (args.c).
 */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stdbool.h>

#define PARSE_HELP		(-1)	/* parse_args: --help was asked for */
#define MAX_OPTIONS		12		/* options of one command */

struct command;

/* Parsed arguments of a command. */
typedef struct args
{
	const struct command *cmd;
	const char *opt[MAX_OPTIONS];	/* value of each option (a flag: its
									 * name), or NULL if not given */
	char	  **pos;			/* positional arguments */
	int			npos;
} args;

/* How an option is given. */
typedef enum option_kind
{
	OPT_VALUE,					/* --name VALUE or --name=VALUE, optional */
	OPT_REQUIRED,				/* the same, and it must be given */
	OPT_FLAG					/* --name alone: a boolean */
} option_kind;

/* An option of a command. */
typedef struct option_spec
{
	const char *name;
	option_kind kind;
} option_spec;

/* A command of the tool. */
typedef struct command
{
	const char *name;
	const char *synopsis;		/* arguments, after the command name */
	const char *help;			/* description, printed by --help */
	option_spec options[MAX_OPTIONS];	/* unused ones have a NULL name */
	int			min_pos;
	int			max_pos;		/* -1: no limit */
	int			(*run) (const args *a);
} command;

/* The value of the option called name of the command, or NULL. */
const char *opt(const args *a, const char *name);

/* True if arg asks for help. */
bool		is_help(const char *arg);

/*
 * Parse the arguments of cmd.  Positional arguments are gathered at the
 * front of argv.  Returns 0, PARSE_HELP or the exit status of a usage error.
 */
int			parse_args(const command *cmd, int argc, char **argv, args *a);

#endif							/* CLI_ARGS_H */
