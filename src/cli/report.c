/*
 * report.c - the messages of the secant-pre command-line tool: one line on
 * standard error, "secant-pre: COMMAND: MESSAGE", and the exit statuses
 * (0 success, 1 failure, 2 usage error); the phrases that name values.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "secant_pre.h"
#include "report.h"

const char *command_name = NULL;

/* this thread's capture of its messages (report_capture), or NULL */
static __thread char *capture = NULL;
static __thread size_t capture_size = 0;

/* Messages of this thread go into the string to (size bytes; the first
 * message only) instead of stderr; NULL: to stderr again. */
void
report_capture(char *to, size_t size)
{
	capture = to;
	capture_size = size;
	if (to != NULL && size > 0)
		to[0] = '\0';
}

/* Print one line "secant-pre: <command>: <message>" on stderr. */
static void
vcomplain(bool usage, const char *fmt, va_list ap)
{
	if (capture != NULL)
	{
		if (capture[0] == '\0')
			vsnprintf(capture, capture_size, fmt, ap);
		return;
	}
	fputs("secant-pre: ", stderr);
	if (command_name != NULL)
		fprintf(stderr, "%s: ", command_name);
	vfprintf(stderr, fmt, ap);
	if (usage)
		fprintf(stderr, " (see 'secant-pre%s%s --help')",
				command_name != NULL ? " " : "",
				command_name != NULL ? command_name : "");
	fputc('\n', stderr);
}

/* Report a failure of the current command; returns the exit status 1. */
int	CLI_PRINTF(1, 2)
fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(false, fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

/* Report a usage error; returns the exit status 2. */
int	CLI_PRINTF(1, 2)
usage_fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* Print a warning or a note on stderr; the command goes on. */
void CLI_PRINTF(1, 2)
warn(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(false, fmt, ap);
	va_end(ap);
}

/* Report a failed core operation with the core's explanation. */
int
fail_sp(const char *what, int err)
{
	return fail("%s: %s", what, sp_strerror(err));
}

/* Report a value of kind that is malformed or invalid. */
int
fail_invalid(sp_kind kind, int err)
{
	return fail("invalid %s: %s", sp_kind_name(kind), sp_strerror(err));
}

/* What a value of kind is, for messages: "a public key (pre_public_key)". */
const char *
kind_phrase(int kind)
{
	switch (kind)
	{
		case SP_KIND_SECRET_KEY:
			return "a PRE secret key (presk_)";
		case SP_KIND_PUBLIC_KEY:
			return "a public key (prepk_, pre_public_key)";
		case SP_KIND_GRANT:
			return "a grant (pregrant_, pre_grant)";
		case SP_KIND_CIPHERTEXT:
			return "a ciphertext (prect_, pre_ciphertext)";
		case SP_KIND_TOKEN:
			return "a search token (pretok_, pre_token)";
	}
	return "an unknown value";
}

/* What a protected key file holds, for messages. */
const char *
content_phrase(int content)
{
	return content == SP_KF_INDEX_KEY ?
		"a passphrase-protected search index key (prelocked_)" :
		"a passphrase-protected PRE secret key (prelocked_)";
}
