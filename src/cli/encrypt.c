/*
 * encrypt.c - the commands that make ciphertexts and grants: encrypt,
 * grant (sealed to the database's key with --seal-to) and reencrypt; the
 * randomness comes from libsecant-pre (sp_encrypt_random, ...).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "encrypt.h"
#include "threshold.h"
#include "io.h"
#include "keyfile.h"
#include "report.h"
#include "values.h"
#include "when.h"

/* Encrypt m for the public key pk at level 1 into ct, freshly random. */
int
encrypt_for_aad(const uint8_t *pk, const uint8_t *m, size_t mlen,
				const uint8_t *aad, size_t aadlen, buf *ct)
{
	return encrypt_for_aad_cached(pk, m, mlen, aad, aadlen, NULL, ct);
}

/* encrypt_for_aad, pk checked through a cache (may be NULL) */
int
encrypt_for_aad_cached(const uint8_t *pk, const uint8_t *m, size_t mlen,
					   const uint8_t *aad, size_t aadlen, sp_keycache *cache,
					   buf *ct)
{
	size_t		ctlen = sp_ciphertext_bytes(1, aadlen, mlen);
	uint8_t		r[SP_SCALARBYTES];
	uint8_t		u[SP_SCALARBYTES];
	uint8_t		nonce[SP_NONCEBYTES];
	int			err;

	if (ctlen == 0)
		return fail_sp("cannot encrypt", SP_ETOOLONG);
	if (buf_reserve(ct, ctlen) != 0)
		return EXIT_FAILURE;
	if ((err = sp_init()) != SP_OK)
		return fail_sp("cannot encrypt", err);
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	err = sp_encrypt_cached(ct->data, ctlen, pk, m, mlen, aad, aadlen, r, u,
							nonce, cache);
	sodium_memzero(r, sizeof r);
	sodium_memzero(u, sizeof u);
	if (err != SP_OK)
		return fail_sp("cannot encrypt", err);
	ct->len = ctlen;
	return 0;
}

/* encrypt_for_aad with a text aad */
int
encrypt_for(const uint8_t *pk, const uint8_t *m, size_t mlen, const char *aad,
			buf *ct)
{
	return encrypt_for_aad(pk, m, mlen, (const uint8_t *) aad, strlen(aad), ct);
}

/* encrypt: encrypt standard input for a public key (level 1). */
int
cmd_encrypt(const args *a)
{
	const char *aad = opt(a, "--aad") != NULL ? opt(a, "--aad") : "";
	buf			pk = {0};
	buf			m = {0};
	buf			ct = {0};
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &pk);
	if (rc == 0)
		rc = read_source(NULL, &m);
	if (rc == 0)
		rc = encrypt_for(pk.data, m.data, m.len, aad, &ct);
	if (rc == 0)
		rc = print_value(SP_KIND_CIPHERTEXT, ct.data, ct.len);
	buf_free(&pk);
	buf_free(&m);
	buf_free(&ct);
	return rc;
}

/*
 * A new grant from -> to, sealed to seal_key when it is not NULL; grant
 * is wiped unless unsealed output is wanted.
 */
static int
make_grant(uint8_t grant[SP_GRANTBYTES], uint8_t sealed[SP_SEALEDBYTES],
		   const sp_secret *from, const uint8_t *to, int64_t not_after,
		   const uint8_t *seal_key)
{
	int			err = sp_grant_random(grant, from, to, not_after);

	if (err == SP_OK && seal_key != NULL)
	{
		err = sp_seal_grant_random(sealed, grant, seal_key);
		sodium_memzero(grant, SP_GRANTBYTES);
	}
	return err;
}

/* A new grant from -> to, sealed to seal_key. */
int
seal_new_grant(uint8_t sealed[SP_SEALEDBYTES], const sp_secret *from,
			   const uint8_t *to, int64_t not_after, const uint8_t *seal_key)
{
	uint8_t		grant[SP_GRANTBYTES];

	return make_grant(grant, sealed, from, to, not_after, seal_key);
}

/* grant: make a grant from the key on standard input to a public key. */
int
cmd_grant(const args *a)
{
	sp_secret	from;
	buf			to = {0};
	uint8_t		grant[SP_GRANTBYTES];
	uint8_t		sealed[SP_SEALEDBYTES];
	buf			seal_key = {0};
	int64_t		not_after = 0;
	bool		have_from = false;
	int			err;
	int			rc;

	rc = opt(a, "--not-after") == NULL ? 0 :
		parse_when("--not-after", opt(a, "--not-after"), (int64_t) time(NULL),
				   &not_after);
	if (rc == 0)
		rc = check_new_file(opt(a, "-o"));
	if (rc == 0)
		rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &to);
	if (rc == 0)
	{
		rc = load_secret(opt(a, "--secret-key"), &from);
		have_from = rc == 0;
	}
	if (rc == 0 && opt(a, "--threshold") != NULL)
		rc = grant_threshold(&from, to.data, not_after, opt(a, "--threshold"),
							 opt(a, "--seal-to"), opt(a, "-o"));
	else if (rc == 0 && opt(a, "--seal-to") != NULL)
		rc = load_arg(opt(a, "--seal-to"), SP_KIND_SEAL_KEY, &seal_key);
	if (rc == 0 && opt(a, "--threshold") == NULL)
	{
		err = make_grant(grant, sealed, &from, to.data, not_after, seal_key.data);
		if (seal_key.data == NULL)	/* rk: a secret of the delegator */
			rc = emit_secret_to(opt(a, "-o"), err, "cannot make grant", SP_KIND_GRANT,
						 grant, sizeof grant);
		else
			rc = emit_to(opt(a, "-o"), err, "cannot make a sealed grant",
						 SP_KIND_SEALED_GRANT, sealed, sizeof sealed);
	}
	sodium_memzero(grant, sizeof grant);
	if (have_from)
		sp_secret_wipe(&from);
	buf_free(&to);
	buf_free(&seal_key);
	return rc;
}

/* reencrypt: re-encrypt the ciphertext on standard input with a grant. */
int
cmd_reencrypt(const args *a)
{
	buf			grant = {0};
	buf			ct = {0};
	buf			out = {0};
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_GRANT, &grant);
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
		rc = buf_reserve(&out, ct.len + SP_HOPBYTES);
	if (rc == 0)
		rc = emit(sp_reencrypt(out.data, out.cap, ct.data, ct.len,
							   grant.data),
				  "cannot re-encrypt", SP_KIND_CIPHERTEXT, out.data, out.cap);
	buf_free(&grant);
	buf_free(&ct);
	buf_free(&out);
	return rc;
}
