/*
 * pg_compat.h - what differs between the PostgreSQL majors secant_pre
 * builds against (15, 17, 18), behind one name each, by PG_VERSION_NUM.
 * Include after postgres.h; the code uses only these names for them.
 */
#ifndef SP_PG_COMPAT_H
#define SP_PG_COMPAT_H

#include "postgres.h"

#include "storage/proc.h"

/* 16 moved the varlena macros (VARDATA, VARSIZE_ANY...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* the backend's local transaction id: 17 moved it into MyProc->vxid */
#if PG_VERSION_NUM >= 170000
#define SP_MY_LXID (MyProc->vxid.lxid)
#else
#define SP_MY_LXID (MyProc->lxid)
#endif

/* the PGPROC of a virtual transaction id (GetLockConflicts): 17 numbers
 * procs (ProcNumber) where 15 had backend ids */
#if PG_VERSION_NUM >= 170000
#include "storage/procarray.h"
#define SP_VXID_PROC(vxid) ProcNumberGetProc((vxid).procNumber)
#else
#include "storage/sinvaladt.h"
#define SP_VXID_PROC(vxid) BackendIdGetProc((vxid).backendId)
#endif

/* a function that does not return, written before its return type: 18
 * replaced pg_attribute_noreturn() by pg_noreturn */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/* 18 added RelationGetPrimaryKeyIndex's deferrable_ok (false: as before) */
#if PG_VERSION_NUM >= 180000
#define SP_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define SP_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex(rel)
#endif

#endif
