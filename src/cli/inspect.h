/*
 * inspect.h - inspect (inspect.c).
 */
#ifndef CLI_INSPECT_H
#define CLI_INSPECT_H

#include "args.h"

/* inspect: validate any value on standard input and describe it as JSON. */
int			cmd_inspect(const args *a);

#endif							/* CLI_INSPECT_H */
