/*
 * report.h - messages on standard error and exit statuses (report.c).
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <stddef.h>

#include "secant_pre.h"

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

#define EXIT_USAGE		2		/* exit status of a usage error */

/* the name of the command that runs, for messages (NULL before) */
extern const char *command_name;

/* Report a failure of the current command; returns the exit status 1. */
int			fail(const char *fmt,...) CLI_PRINTF(1, 2);

/* Report a usage error; returns the exit status 2. */
int			usage_fail(const char *fmt,...) CLI_PRINTF(1, 2);

/* Print a warning or a note on stderr; the command goes on. */
void		warn(const char *fmt,...) CLI_PRINTF(1, 2);

/* Messages of this thread go into the string to (size bytes; the first
 * message only) instead of stderr; NULL: to stderr again. */
void		report_capture(char *to, size_t size);

/* Report a failed core operation with the core's explanation. */
int			fail_sp(const char *what, int err);

/* Report a value of kind that is malformed or invalid. */
int			fail_invalid(sp_kind kind, int err);

/* What a value of kind is, for messages: "a public key (pre_public_key)". */
const char *kind_phrase(int kind);

/* What a protected key file holds, for messages. */
const char *content_phrase(int content);

#endif							/* CLI_REPORT_H */
