/*
 * caller_basis.c - what current_user relies on to obtain what is addressed
 * to a principal (see caller_basis.h), read in C from the extension's
 * tables: an index probe of secant.bindings by principal key, a scan of
 * the few rows of secant.capabilities, one row of secant.settings.  No
 * SQL, no plan, no function call per row; row-level security does not
 * apply to these reads (they decide, they show nothing).  The answer is
 * the same as secant.obtain_basis's, which runs the same rule in SQL for
 * the SQL surface (secant.may_obtain).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "caller_basis.h"
#include "pg_compat.h"
#include "raise.h"

/* secant.NAME, opened AccessShare (fast path: no lock table entry). */
static Relation
open_table(const char *name)
{
	Oid			nsp = get_namespace_oid("secant", false);
	Oid			rel = get_relname_relid(name, nsp);

	if (!OidIsValid(rel))
		elog(ERROR, "table secant.%s not found", name);
	return table_open(rel, AccessShareLock);
}

/*
 * The bindings of target to roles current_user is a member of (pg_has_role
 * MEMBER: a dropped role's binding is inert), probing the primary key
 * (principal_key, role) by its first column.
 */
static int
binding_items(const uint8_t *target, Oid who, Snapshot snap, sp_lock_item *items, int max)
{
	Relation	rel = open_table("bindings");
	Oid			pkey = SP_PRIMARY_KEY_INDEX(rel);
	Relation	idx = index_open(pkey, AccessShareLock);
	Oid			eq = get_opfamily_member(idx->rd_opfamily[0], idx->rd_opcintype[0],
										 idx->rd_opcintype[0], BTEqualStrategyNumber);
	TupleDesc	desc = RelationGetDescr(rel);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			n = 0;

	if (!OidIsValid(eq))
		elog(ERROR, "secant.bindings: no equality operator for its key");
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, get_opcode(eq), PointerGetDatum(target));
	scan = systable_beginscan(rel, pkey, true, snap, 1, &key);
	while (n < max && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Oid			role = DatumGetObjectId(heap_getattr(tup, 2, desc, &isnull));

		if (!isnull && is_member_of_role(who, role))
			items[n++] = sp_lock_binding(target, role);
	}
	systable_endscan(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return n;
}

/* The proxy capabilities of roles current_user is a member of. */
static int
proxy_items(Oid who, Snapshot snap, sp_lock_item *items, int max)
{
	Relation	rel = open_table("capabilities");
	TupleDesc	desc = RelationGetDescr(rel);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, snap, 0, NULL);
	HeapTuple	tup;
	int			n = 0;

	while (n < max && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		null_role;
		bool		null_cap;
		Oid			role = DatumGetObjectId(heap_getattr(tup, 1, desc, &null_role));
		Datum		cap = heap_getattr(tup, 2, desc, &null_cap);

		if (!null_role && !null_cap &&
			strcmp(TextDatumGetCString(cap), "proxy") == 0 &&
			is_member_of_role(who, role))
			items[n++] = sp_lock_capability(role);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return n;
}

/* secant.read_audit_on(): the setting read_audit is 'on'. */
static bool
read_audit_on(Snapshot snap)
{
	Relation	rel = open_table("settings");
	TupleDesc	desc = RelationGetDescr(rel);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, snap, 0, NULL);
	HeapTuple	tup;
	bool		on = false;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		null_name;
		bool		null_value;
		Datum		name = heap_getattr(tup, 1, desc, &null_name);
		Datum		value = heap_getattr(tup, 2, desc, &null_value);

		if (!null_name && !null_value &&
			strcmp(TextDatumGetCString(name), "read_audit") == 0)
			on = strcmp(TextDatumGetCString(value), "on") == 0;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return on;
}

/*
 * Does role who own a SECURITY DEFINER function in this session's
 * temporary schema (one a stale SET ROLE could make: no CREATE needed)?
 * A scan of pg_proc, only for a definer the session's user is not a
 * member of.
 */
static bool
owns_temp_definer(Oid who)
{
	Relation	rel = table_open(ProcedureRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple	tup;
	bool		found = false;

	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);

		found = p->prosecdef && p->proowner == who && isTempNamespace(p->pronamespace);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

bool
sp_caller_stands(Oid who)
{
	Oid			session = GetSessionUserId();

	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(who)) ||
		!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(session)))
		return false;
	if (who == session || is_member_of_role(session, who))
		return true;
	/* a SET ROLE the session's user may no longer make, or its function */
	return who != GetOuterUserId() && !owns_temp_definer(who);
}

int
sp_caller_basis(const uint8_t target[SP_PUBLICKEYBYTES], Oid who,
				sp_lock_item *items, int max, bool *audit)
{
	Snapshot	snap;
	int			n;

	snap = RegisterSnapshot(GetLatestSnapshot());
	*audit = read_audit_on(snap);
	if (!sp_caller_stands(who))
		n = 0;
	else if (superuser_arg(who))
		n = -1;
	else
	{
		n = binding_items(target, who, snap, items, max);
		n += proxy_items(who, snap, items + n, max - n);
	}
	UnregisterSnapshot(snap);
	return n;
}

/* What the caller relies on (sp_caller_basis), read with its locks. */
#define BASIS_MAX 16
#define BASIS_ATTEMPTS 4
typedef struct caller_check
{
	const uint8_t *target;
	Oid			who;			/* the role that asks */
	int			n;				/* items relied on; -1: superuser */
	sp_lock_item items[BASIS_MAX];
	bool		audit;
} caller_check;

/* What the role relies on now (the latest snapshot), the first BASIS_MAX. */
static void
caller_basis(caller_check *c)
{
	c->n = sp_caller_basis(c->target, c->who, c->items, BASIS_MAX, &c->audit);
}

/* Is every item of a among those of b? */
static bool
basis_within(const caller_check *a, const caller_check *b)
{
	for (int i = 0; i < a->n; i++)
	{
		int			j = 0;

		while (j < b->n && memcmp(&a->items[i], &b->items[j], sizeof(sp_lock_item)) != 0)
			j++;
		if (j == b->n)
			return false;
	}
	return true;
}

/*
 * Lock what the caller relies on, then read it again: done when what it
 * relies on now is all locked (a removal committed meanwhile is seen, a
 * later one waits for this transaction).
 */
static void
caller_check_locked(caller_check *c)
{
	caller_check locked;

	caller_basis(c);
	for (int attempt = 0; attempt < BASIS_ATTEMPTS && c->n > 0; attempt++)
	{
		sp_lock_take(c->items, c->n, false, true, "binding");
		locked = *c;
		caller_basis(c);
		if (basis_within(c, &locked))
			return;
	}
	if (c->n > 0)
		sp_raise_path_changed();
}

/*
 * May current_user obtain what is addressed to target?  The bindings and
 * capabilities it relies on are locked until the transaction ends
 * (policy_lock.h).  Returns whether read audit is on.
 */
bool
sp_caller_check(const uint8_t target[SP_PUBLICKEYBYTES])
{
	caller_check c = {target, GetUserId(), 0, {{0}}, false};

	caller_check_locked(&c);
	if (c.n == 0)
	{
		const char *name = GetUserNameFromId(GetUserId(), true);

		sp_raise_not_bound(name != NULL ? name : psprintf("%u (dropped)", GetUserId()));
	}
	return c.audit;
}

/*
 * secant.caller_stands(): may current_user still act (sp_caller_stands)?
 * The row-level security of secant.copies asks it, as the C check does.
 */
PG_FUNCTION_INFO_V1(pre_caller_stands);
Datum
pre_caller_stands(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sp_caller_stands(GetUserId()));
}

/*
 * secant_internal.lock_obtain_basis(target, who): may role who obtain what
 * is addressed to target?  As for secant.reencrypt_for, what it relies on
 * (bindings, proxy capabilities) is locked until the transaction ends, so
 * secant.unbind and secant.revoke_capability wait for it (the threshold
 * functions' check of their asking role: docs/SECURITY.md, "Finality").
 */
PG_FUNCTION_INFO_V1(pre_lock_obtain_basis);
Datum
pre_lock_obtain_basis(PG_FUNCTION_ARGS)
{
	caller_check c = {(const uint8_t *) PG_GETARG_POINTER(0), PG_GETARG_OID(1),
	0, {{0}}, false};

	caller_check_locked(&c);
	PG_RETURN_BOOL(c.n != 0);
}
