/*
 * rewrap.h - rewrap (rewrap.c).
 */
#ifndef CLI_REWRAP_H
#define CLI_REWRAP_H

#include "args.h"

/*
 * rewrap NEW_PUBKEY --secret-key KEY < LINES: each line "ID<TAB>prect_"
 * or "ID<TAB>prect_<TAB>BODY"; prints the same lines for NEW_PUBKEY.
 */
int			cmd_rewrap(const args *a);

#endif							/* CLI_REWRAP_H */
