/*
 * path_apply.h - re-encryption along a grant path at one scalar
 * multiplication per value (path_apply.c), for sp_path_apply.
 */
#ifndef SP_PATH_APPLY_H
#define SP_PATH_APPLY_H

#include "postgres.h"

#include "sp_core.h"

/* The grants of a path: at most one per level above the first. */
#define SP_PATH_MAXHOPS (SP_MAXLEVEL - 1)

/*
 * What the application of one call site's path keeps between values: the
 * constant hop records and a small re-encryption cache.  They hold
 * products of rk: wiped when the memory context they live in goes.
 */
typedef struct sp_apply_state sp_apply_state;

/* A new, empty state in cxt. */
sp_apply_state *sp_apply_state_new(MemoryContext cxt);

/*
 * The ciphertext (len bytes at ct) re-encrypted along grants (hops
 * grants of SP_GRANTBYTES, in order), which have at least one hop and
 * room for them below level 16 (sp_path_apply checks); raises on failure.
 * fill (never 0) names the lookup the grants come from: the constant hop
 * records 2 .. hops are computed once per fill; hop 1 of a value at level
 * >= 2 goes through a small re-encryption cache emptied at every fill.
 */
Datum		sp_apply_along(sp_apply_state *st, const uint8_t *grants, int hops,
						   uint64 fill, const uint8_t *ct, size_t len,
						   const char *operation);

/*
 * The constant hop records (hops - 1 of them) the state holds for fill,
 * copied to out (room for SP_PATH_MAXHOPS - 1 records); -1 when it holds
 * none for that fill.  With sp_apply_suffix_put, a caller that keeps
 * several paths gives each back its records when it switches to it.
 */
int			sp_apply_suffix_get(const sp_apply_state *st, uint64 fill, uint8_t *out);

/* Hold the n records at suffix for fill, as sp_apply_along computes them. */
void		sp_apply_suffix_put(sp_apply_state *st, uint64 fill,
								const uint8_t *suffix, int n);

#endif							/* SP_PATH_APPLY_H */
