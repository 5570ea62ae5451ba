/*
 * grant.c - the pre_grant type (272 bytes, "pregrant_"): I/O, making a
 * grant from a delegator's secret key, and accessors.  A grant holds the
 * delegator's secret rk: only the proxy (the database) may hold it.
 */
#include "postgres.h"

#include <sodium.h>

#include "datatype/timestamp.h"
#include "utils/timestamp.h"

#include "seckey.h"
#include "sp_random.h"
#include "typeio.h"

SP_TYPE_IO(pre_grant, SP_KIND_GRANT)

#define UNIX_EPOCH_OFFSET_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

/* timestamptz -> Unix seconds for not_after; infinity means no expiry. */
static int64
not_after_from_timestamp(TimestampTz ts)
{
	int64		secs;

	if (TIMESTAMP_IS_NOEND(ts))
		return 0;
	if (TIMESTAMP_IS_NOBEGIN(ts))
		sp_raise_argument("not_after must be a finite time or infinity", NULL);
	/* floor division: a partial second before the limit still counts */
	secs = ts / USECS_PER_SEC - (ts % USECS_PER_SEC < 0 ? 1 : 0);
	secs += UNIX_EPOCH_OFFSET_SECS;
	if (secs <= 0)
		sp_raise_argument("not_after must be after 1970-01-01 00:00:00 UTC",
						  "Zero means \"no expiry\" in the grant format.");
	return secs;
}

/* Make and return a grant; not_after in Unix seconds (0 = none). */
static Datum
make_grant(FunctionCallInfo fcinfo, int64 not_after)
{
	const sp_secret *from = sp_secret_arg(fcinfo, 0);
	const uint8_t *to = (const uint8_t *) PG_GETARG_POINTER(1);
	uint8_t    *grant = palloc(SP_GRANTBYTES);
	uint8_t		x[SP_SCALARBYTES];
	int			rc;

	sp_random_scalar(x);
	rc = sp_grant_cached(grant, from, to, not_after, x, sp_valid_keys());
	sodium_memzero(x, sizeof x);
	if (rc != SP_OK)
		sp_raise(rc, "pre_grant");
	PG_RETURN_POINTER(grant);
}

/* pre_grant(delegator secret key, grantee public key) */
PG_FUNCTION_INFO_V1(pre_grant);
Datum
pre_grant(PG_FUNCTION_ARGS)
{
	return make_grant(fcinfo, 0);
}

/* pre_grant(delegator secret key, grantee public key, not_after) */
PG_FUNCTION_INFO_V1(pre_grant_expiring);
Datum
pre_grant_expiring(PG_FUNCTION_ARGS)
{
	return make_grant(fcinfo,
					  not_after_from_timestamp(PG_GETARG_TIMESTAMPTZ(2)));
}

/* pre_grant_from(grant): the delegator's public key. */
PG_FUNCTION_INFO_V1(pre_grant_from);
Datum
pre_grant_from(PG_FUNCTION_ARGS)
{
	const uint8_t *grant = (const uint8_t *) PG_GETARG_POINTER(0);

	return sp_datum_make(SP_KIND_PUBLIC_KEY, grant + SP_GR_FROM,
						 SP_PUBLICKEYBYTES);
}

/* pre_grant_to(grant): the grantee's public key. */
PG_FUNCTION_INFO_V1(pre_grant_to);
Datum
pre_grant_to(PG_FUNCTION_ARGS)
{
	const uint8_t *grant = (const uint8_t *) PG_GETARG_POINTER(0);

	return sp_datum_make(SP_KIND_PUBLIC_KEY, grant + SP_GR_TO,
						 SP_PUBLICKEYBYTES);
}

/*
 * A not_after in Unix seconds (non-zero) as a timestamptz; outside
 * PostgreSQL's range, infinity rather than an error.  Also for grant
 * shares (threshold.c).
 */
TimestampTz sp_not_after_timestamp(int64 secs);
TimestampTz
sp_not_after_timestamp(int64 secs)
{
	if (secs >= END_TIMESTAMP / USECS_PER_SEC + UNIX_EPOCH_OFFSET_SECS)
		return DT_NOEND;
	if (secs <= MIN_TIMESTAMP / USECS_PER_SEC + UNIX_EPOCH_OFFSET_SECS)
		return DT_NOBEGIN;
	return (secs - UNIX_EPOCH_OFFSET_SECS) * USECS_PER_SEC;
}

/* pre_grant_not_after(grant): expiry, or NULL for none. */
PG_FUNCTION_INFO_V1(pre_grant_not_after);
Datum
pre_grant_not_after(PG_FUNCTION_ARGS)
{
	int64		secs = sp_grant_not_after((const uint8_t *) PG_GETARG_POINTER(0));

	if (secs == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(sp_not_after_timestamp(secs));
}

/* pre_grant_hop_key(grant): X, the grant's mark in every hop it makes. */
PG_FUNCTION_INFO_V1(pre_grant_hop_key);
Datum
pre_grant_hop_key(PG_FUNCTION_ARGS)
{
	const uint8_t *grant = (const uint8_t *) PG_GETARG_POINTER(0);

	PG_RETURN_BYTEA_P(sp_bytea(grant + SP_GR_X, SP_POINTBYTES));
}
