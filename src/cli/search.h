/*
 * search.h - search tokens: token and tokens (search.c).
 */
#ifndef CLI_SEARCH_H
#define CLI_SEARCH_H

#include "args.h"

/* token: print the search token of each word. */
int			cmd_token(const args *a);

/* tokens: print the distinct tokens of a document, sorted by their bytes. */
int			cmd_tokens(const args *a);

#endif							/* CLI_SEARCH_H */
