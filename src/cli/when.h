/*
 * when.h - points in time on the command line (when.c).
 */
#ifndef CLI_WHEN_H
#define CLI_WHEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a point in time given to option, relative to now: an ISO 8601
 * date or date and time (UTC unless it has an offset: 2027-01-01,
 * 2027-01-01T12:00, 2027-01-01T12:00:30+02:00, ...Z), a duration from now
 * (30d, 12h, 90m, 45s, 2w) or Unix seconds (digits only).  0 or the exit
 * status of a usage error.
 */
int			parse_when(const char *option, const char *text, int64_t now,
					   int64_t *when);

/* Write t (Unix seconds) as ISO 8601 UTC, 2027-01-01T00:00:00Z. */
void		format_when(int64_t t, char *out, size_t size);

#endif							/* CLI_WHEN_H */
