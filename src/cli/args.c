/*
 * args.c - the arguments of a command: options (--name VALUE,
 * --name=VALUE, flags) and positional arguments,
 * checked against the command's table entry.
 */
#include <stdbool.h>
#include <string.h>

#include "args.h"
#include "report.h"

/* The value of the option called name of the command, or NULL. */
const char *
opt(const args *a, const char *name)
{
	for (int o = 0; o < MAX_OPTIONS && a->cmd->options[o].name != NULL; o++)
		if (strcmp(a->cmd->options[o].name, name) == 0)
			return a->opt[o];
	return NULL;
}

/* True if arg asks for help. */
bool
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* True if arg (--name or --name=VALUE) is the option name. */
static bool
is_option(const char *name, const char *arg)
{
	size_t		len = strcspn(arg, "=");

	return name != NULL && strlen(name) == len && strncmp(name, arg, len) == 0;
}

/* Index of the option of cmd that arg (--name or --name=VALUE) names, or -1. */
static int
find_option(const command *cmd, const char *arg)
{
	for (int o = 0; o < MAX_OPTIONS && cmd->options[o].name != NULL; o++)
		if (is_option(cmd->options[o].name, arg))
			return o;
	return -1;
}

/* Parse the option at argv[*i] into a, consuming its value if it has one. */
static int
parse_option(const command *cmd, int argc, char **argv, int *i, args *a)
{
	const char *arg = argv[*i];
	const char *eq = strchr(arg, '=');
	int			o = find_option(cmd, arg);

	if (o < 0)
	{
		size_t		len = strcspn(arg, "=");
		size_t		name = strspn(arg, "-abcdefghijklmnopqrstuvwxyz");

		/* named only if it looks like an option's name: never a value */
		if (name == len && len <= 40 && strspn(arg, "-") <= 2)
			return usage_fail("unknown option %.*s", (int) len, arg);
		return usage_fail("unknown option");
	}
	if (a->opt[o] != NULL)
		return usage_fail("option %s given twice", cmd->options[o].name);
	if (cmd->options[o].kind == OPT_FLAG && eq != NULL)
		return usage_fail("option %s takes no value", cmd->options[o].name);
	if (cmd->options[o].kind == OPT_FLAG)
		a->opt[o] = arg;
	else if (eq != NULL)
		a->opt[o] = eq + 1;
	else if (*i + 1 < argc)
		a->opt[o] = argv[++*i];
	else
		return usage_fail("option %s needs a value", cmd->options[o].name);
	return 0;
}

/* Check the counts of arguments and the required options. */
static int
check_args(const command *cmd, const args *a)
{
	for (int o = 0; o < MAX_OPTIONS && cmd->options[o].name != NULL; o++)
		if (cmd->options[o].kind == OPT_REQUIRED && a->opt[o] == NULL)
			return usage_fail("option %s is required", cmd->options[o].name);
	if (a->npos < cmd->min_pos)
		return usage_fail("missing argument");
	if (cmd->max_pos >= 0 && a->npos > cmd->max_pos)
		return usage_fail("too many arguments");
	return 0;
}

/*
 * Parse the arguments of cmd.  Positional arguments are gathered at the
 * front of argv.  Returns 0, PARSE_HELP or the exit status of a usage error.
 */
int
parse_args(const command *cmd, int argc, char **argv, args *a)
{
	bool		options_done = false;
	int			rc;

	a->cmd = cmd;
	a->pos = argv;
	for (int i = 0; i < argc; i++)
	{
		char	   *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0')
			argv[a->npos++] = arg;
		else if (strcmp(arg, "--") == 0)
			options_done = true;
		else if (is_help(arg))
			return PARSE_HELP;
		else if ((rc = parse_option(cmd, argc, argv, &i, a)) != 0)
			return rc;
	}
	return check_args(cmd, a);
}
