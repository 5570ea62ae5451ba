/*
 * rotate.h - rotate (rotate.c).
 */
#ifndef CLI_ROTATE_H
#define CLI_ROTATE_H

#include "args.h"

/*
 * rotate group|user|device NAME [PUBKEY...]: write a new key to -o FILE and
 * print the SQL call that completes the rotation, its grants sealed to
 * --seal-to; rotate reissue PUBKEY...: the delegator's grants to new keys.
 */
int			cmd_rotate(const args *a);

#endif							/* CLI_ROTATE_H */
