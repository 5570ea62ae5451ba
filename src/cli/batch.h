/*
 * batch.h - what the batch commands (decrypt --batch, rewrap) share
 * (batch.c): records with ids, and JSON lines.
 */
#ifndef CLI_BATCH_H
#define CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "io.h"

/*
 * One input line of a batch command: ID<TAB>VALUE[<TAB>MORE], or VALUE
 * alone when ids are optional.  The id is copied as it is (no tab or
 * newline in it); the line's newline (and a CR before it) are not part of
 * the fields.
 */
typedef struct record
{
	const char *id;				/* NULL: the line has no id */
	size_t		idlen;
	const char *value;
	size_t		len;
	const char *more;			/* after a second tab, or NULL */
	size_t		morelen;
} record;

/*
 * Split the line p/len into r.  Without a tab the whole line is the value
 * (no id); with one, the id comes first.  False if the line is empty.
 */
bool		split_record(const char *p, size_t len, record *r);

/* True if the len bytes at s are UTF-8 text. */
bool		is_utf8(const uint8_t *s, size_t len);

/*
 * Append s (len bytes of UTF-8) to b as a JSON string, with quotes; 0 or
 * the exit status 1 (out of memory).
 */
int			append_json(buf *b, const char *s, size_t len);

/* Append len bytes to b; 0 or the exit status 1. */
int			append(buf *b, const void *data, size_t len);

/* Append the string s to b; 0 or the exit status 1. */
int			append_str(buf *b, const char *s);

#endif							/* CLI_BATCH_H */
