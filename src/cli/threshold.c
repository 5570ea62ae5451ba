/*
 * threshold.c - threshold grants in the CLI (see threshold.h): the
 * delegator splits a grant t-of-n into shares sealed to n server keys; a
 * holder makes a partial for a ciphertext with its server key; anyone
 * combines t partials into the value one level up, byte for byte what the
 * unsplit grant gives.  The core does every check (sp_threshold.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "io.h"
#include "report.h"
#include "threshold.h"
#include "values.h"

/* "T/N" with 1 <= T <= N <= SP_TMAXN. */
static int
parse_threshold(const char *text, int *t, int *n)
{
	char	   *end;
	long		a,
				b;

	a = strtol(text, &end, 10);
	if (end == text || *end != '/')
		return usage_fail("--threshold takes T/N, e.g. 2/3");
	text = end + 1;
	b = strtol(text, &end, 10);
	if (end == text || *end != '\0' || a < 1 || b < a || b > SP_TMAXN)
		return usage_fail("--threshold T/N needs 1 <= T <= N <= %d", SP_TMAXN);
	*t = (int) a;
	*n = (int) b;
	return 0;
}

/* The n comma-separated sealing keys of --seal-to into keys (n · 64 bytes). */
static int
load_seal_keys(const char *list, int n, uint8_t *keys)
{
	char	   *copy = list ? strdup(list) : NULL;
	char	   *save = NULL;
	int			count = 0;
	int			rc = 0;

	if (list == NULL)
		return usage_fail("--threshold needs --seal-to with one sealing key per share");
	if (copy == NULL)
		return fail("out of memory");
	for (char *k = strtok_r(copy, ",", &save); k != NULL && rc == 0;
		 k = strtok_r(NULL, ",", &save))
	{
		buf			key = {0};

		if (count == n)
			rc = usage_fail("--seal-to has more than %d sealing keys", n);
		if (rc == 0)
			rc = load_arg(k, SP_KIND_SEAL_KEY, &key);
		if (rc == 0)
			memcpy(keys + SP_SEALKEYBYTES * count++, key.data, SP_SEALKEYBYTES);
		buf_free(&key);
	}
	free(copy);
	if (rc == 0 && count != n)
		rc = usage_fail("--seal-to has %d sealing keys; --threshold asks for %d", count, n);
	return rc;
}

int
grant_threshold(const sp_secret *from, const uint8_t *to, int64_t not_after,
				const char *threshold, const char *seal_to, const char *out)
{
	uint8_t		grant[SP_GRANTBYTES];
	uint8_t		keys[SP_TMAXN * SP_SEALKEYBYTES];
	buf			shares = {0};
	buf			text = {0};
	int			t = 0,
				n = 0;
	int			rc = parse_threshold(threshold, &t, &n);

	if (rc == 0)
		rc = load_seal_keys(seal_to, n, keys);
	if (rc == 0)
		rc = buf_reserve(&shares, SP_TSHAREBYTES(t) * n);
	if (rc == 0)
	{
		int			err = sp_grant_random(grant, from, to, not_after);

		if (err == SP_OK)
			err = sp_tshare_split_random(shares.data, SP_TSHAREBYTES(t) * n, grant, from,
										 t, n, keys);
		sodium_memzero(grant, sizeof grant);
		if (err != SP_OK)
			rc = fail_sp("cannot make a threshold grant", err);
	}
	if (rc == 0)
		rc = encode_lines(SP_KIND_TSHARE, shares.data, SP_TSHAREBYTES(t),
						  (size_t) n, &text);
	if (rc == 0 && out == NULL)
		write_out(text.data, text.len);
	else if (rc == 0)
		rc = write_secret(out, text.data, text.len);
	buf_free(&shares);
	buf_free(&text);
	return rc;
}

/* The 32-byte X25519 server secret of a key file: 64 hexadecimal digits. */
static int
load_server_key(const char *path, uint8_t sk[32])
{
	buf			b = {0};
	const uint8_t *p;
	size_t		len;
	size_t		got = 0;
	int			rc = read_file(path, true, &b);

	if (rc == 0)
	{
		p = b.data;
		len = b.len;
		trim(&p, &len);
		if (sodium_hex2bin(sk, 32, (const char *) p, len, NULL, &got, NULL) != 0 ||
			got != 32 || len != 64)
			rc = fail("%s: not a server key file (64 hexadecimal digits)",
					  source_name(path));
	}
	buf_free(&b);
	return rc;
}

int
cmd_partial(const args *a)
{
	buf			share = {0};
	buf			ct = {0};
	uint8_t		sk[32],
				rk[SP_SCALARBYTES],
				dbid[SP_DBIDBYTES],
				partial[SP_TPARTIALBYTES];
	const char *db = opt(a, "--database");
	size_t		got = 0;
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_TSHARE, &share);
	if (rc == 0 && (sodium_hex2bin(dbid, sizeof dbid, db, strlen(db), NULL,
								   &got, NULL) != 0 || got != sizeof dbid ||
					strlen(db) != 2 * sizeof dbid))
		rc = usage_fail("--database takes the database identity, 32 hexadecimal digits");
	if (rc == 0)
		rc = key_not_stdin(opt(a, "--server-key"), "--server-key", "the ciphertext");
	if (rc == 0)
		rc = load_server_key(opt(a, "--server-key"), sk);
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
	{
		int			err = sp_tshare_open(rk, share.data, share.len, sk, dbid);

		if (err == SP_OK)
			err = sp_tpartial_random(partial, share.data, share.len, rk,
									 ct.data, ct.len);
		rc = emit(err, "cannot make a partial", SP_KIND_TPARTIAL, partial,
				  sizeof partial);
	}
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(rk, sizeof rk);
	buf_free(&share);
	buf_free(&ct);
	return rc;
}

int
cmd_combine(const args *a)
{
	buf			share = {0};
	buf			ct = {0};
	buf			out = {0};
	buf			partials = {0};
	int			np = a->npos - 1;
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_TSHARE, &share);
	if (rc == 0)
		rc = buf_reserve(&partials, (size_t) np * SP_TPARTIALBYTES);
	for (int k = 0; rc == 0 && k < np; k++)
	{
		buf			p = {0};

		rc = load_arg(a->pos[k + 1], SP_KIND_TPARTIAL, &p);
		if (rc == 0)
			memcpy(partials.data + (size_t) k * SP_TPARTIALBYTES, p.data,
				   SP_TPARTIALBYTES);
		buf_free(&p);
	}
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
		rc = buf_reserve(&out, ct.len + SP_HOPBYTES);
	if (rc == 0)
		rc = emit(sp_tcombine(out.data, ct.len + SP_HOPBYTES, ct.data, ct.len,
							  share.data, share.len, partials.data, np),
				  "cannot combine the partials", SP_KIND_CIPHERTEXT, out.data,
				  ct.len + SP_HOPBYTES);
	buf_free(&share);
	buf_free(&ct);
	buf_free(&out);
	buf_free(&partials);
	return rc;
}
