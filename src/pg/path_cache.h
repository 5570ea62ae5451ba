/*
 * path_cache.h - one scalar multiplication per value along a cached grant
 * path (path_cache.c), for sp_path_apply.
 */
#ifndef SP_PATH_CACHE_H
#define SP_PATH_CACHE_H

#include "postgres.h"

#include "grant_path.h"

/*
 * The ciphertext (len bytes at ct) re-encrypted along path, which has at
 * least one hop and room for them below level 16 (sp_path_apply checks);
 * raises on failure.  The constant hop records 2 .. hops are computed once
 * per fill of the path; hop 1 of a value at level >= 2 goes through a
 * small re-encryption cache emptied at every fill.
 */
Datum		sp_path_apply_cached(sp_path *path, const uint8_t *ct, size_t len,
								 const char *operation);

#endif							/* SP_PATH_CACHE_H */
