/*
 * threshold.h - threshold grants in the CLI (docs/SCHEME.md, "Threshold
 * grants"): grant --threshold t/n (the delegator), partial (a holder,
 * with its server key), combine (anyone with t partials).
 */
#ifndef CLI_THRESHOLD_H
#define CLI_THRESHOLD_H

#include "secant_pre.h"
#include "args.h"

/*
 * grant --threshold T/N --seal-to K1,...,KN: make the grant from `from`
 * to `to`, split it, print the N shares (pretshare_), one per line, to
 * standard output or the new file `out`; the grant is wiped.
 */
int			grant_threshold(const sp_secret *from, const uint8_t *to,
							int64_t not_after, const char *threshold,
							const char *seal_to, const char *out);

/* partial SHARE --server-key FILE --database HEX < CIPHERTEXT */
int			cmd_partial(const args *a);

/* combine SHARE PARTIAL... < CIPHERTEXT */
int			cmd_combine(const args *a);

#endif							/* CLI_THRESHOLD_H */
