/*
 * path_kept.h - the active paths of the backend, kept across statements
 * and transactions (path_kept.c), so that a statement that reads along a
 * path looked up before pays neither the search nor the opening of its
 * grants.  Only grant_path.c uses it: it still takes every reader's lock of
 * the path and checks the caller in every statement; an entry only stands
 * for the search.
 *
 * An entry is valid for one generation of grant_path.c's counter, which
 * every change of secant.grants or secant.principal_keys bumps, in this
 * backend at once (the statement trigger) and in every other backend of
 * the database when the change commits (a relcache invalidation the
 * trigger sends; grant_path.c takes invalidations in after its locks).
 * Entries hold grants (rk): wiped when they go.
 */
#ifndef SP_PATH_KEPT_H
#define SP_PATH_KEPT_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "path_apply.h"
#include "sp_core.h"

/* A kept path: read it, do not keep pointers into it past the call. */
typedef struct sp_kept_path
{
	int			hops;
	int64		ids[SP_PATH_MAXHOPS];	/* its grants' ids, in order */
	TimestampTz expires;		/* the earliest not_after on it; DT_NOEND */
	int			nsuffix;		/* its constant hop records; -1: none yet */
	uint8_t    *grants;			/* hops grants, then nsuffix hop records */
} sp_kept_path;

/*
 * The path from -> to that owner looked up at generation, if kept, of the
 * same generation and unexpired at sp_decision_time(); else NULL.
 */
const sp_kept_path *sp_kept_get(Oid owner, const uint8_t *from,
								const uint8_t *to, uint64 generation);

/* Keep a path (hops grants of SP_GRANTBYTES at grants) looked up at generation. */
void		sp_kept_put(Oid owner, const uint8_t *from, const uint8_t *to,
						uint64 generation, int hops, const int64 *ids,
						TimestampTz expires, const uint8_t *grants);

/* Keep the constant hop records of a kept path, once computed. */
void		sp_kept_suffix(Oid owner, const uint8_t *from, const uint8_t *to,
						   uint64 generation, const uint8_t *suffix, int n);

/*
 * The time a read's grants must be unexpired at: the start of its
 * statement, or of its transaction when that is later (a procedure or DO
 * block that commits inside runs new transactions under one statement).
 * secant.path's and the hop chain check's SQL say the same.
 */
TimestampTz sp_decision_time(void);

/*
 * Note the relations whose changes make paths stale (secant.grants and
 * secant.principal_keys, for sp_kept_relation); false if absent.  Called
 * before every path lookup, whether or not its transaction keeps the path:
 * a backend whose first lookups are in transactions that wrote something
 * must recognise their invalidations too.
 */
bool		sp_kept_watch(void);

/*
 * Is a relcache invalidation of relid one of secant.grants or
 * secant.principal_keys (or of every relation)?  Safe in a callback: no
 * catalog access.
 */
bool		sp_kept_relation(Oid relid);

#endif							/* SP_PATH_KEPT_H */
