/*
 * fuzz_cache.c - differential: the caches of sp_cache.h change nothing.
 *
 * Input: a little program.  Each step takes an opcode byte and operands
 * and works on a pool of up to 8 ciphertexts, with the four fixture keys
 * and a grant between every ordered pair of them (the KAT chain's three,
 * and nine more from fixed randomness), through one small re-encryption
 * cache, one small decryption context and one small validation cache
 * (2 slots each, so that paths mix, evict and rebind holders):
 *   new value, re-encrypt (with a real grant, or one whose rk, X,
 *   signature or ends the input changed), a whole path at once
 *   (sp_path_suffix + sp_reencrypt_path), decrypt with any key, flip
 *   bytes of a value, wipe a cache.
 * Invariant: every cached call returns the same code and the same output
 * bytes as the uncached sp_reencrypt / sp_decrypt (step by step for a
 * path), and a failed decryption leaves the buffer all zero; every value
 * decrypted, and every value just flipped, is validated through the
 * validation cache with the code of sp_ciphertext_validate.
 */
#include "fuzz_common.h"
#include "sp_cache.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL	8

static uint8_t all_grant[FUZZ_NKEYS][FUZZ_NKEYS][SP_GRANTBYTES];
static int	all_ready = 0;

/* A grant between every ordered pair of fixture keys (KAT ones reused). */
static void
grants_init(void)
{
	if (all_ready)
		return;
	for (int i = 0; i < FUZZ_NKEYS; i++)
		for (int j = 0; j < FUZZ_NKEYS; j++)
		{
			uint8_t		wide[64],
						x[SP_SCALARBYTES],
						in[2] = {(uint8_t) i, (uint8_t) j};

			if (i == j)
				continue;
			if (j == i + 1)
			{
				memcpy(all_grant[i][j], fuzz_grant[i], SP_GRANTBYTES);
				continue;
			}
			crypto_generichash(wide, sizeof wide, in, sizeof in, NULL, 0);
			crypto_core_ristretto255_scalar_reduce(x, wide);
			FUZZ_CHECK(sp_grant(all_grant[i][j], &fuzz_key[i], fuzz_key[j].pk,
								0, x) == SP_OK, "fixture grant");
		}
	all_ready = 1;
}

typedef struct reader
{
	const uint8_t *p;
	size_t		left;
} reader;

static unsigned
byte(reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

typedef struct pool
{
	uint8_t    *ct[POOL];
	size_t		len[POOL];
	int			n;
} pool;

static void
pool_put(pool *pl, uint8_t *ct, size_t len)
{
	int			i = pl->n < POOL ? pl->n++ : (int) (len % POOL);

	if (pl->ct[i] != NULL)
		free(pl->ct[i]);
	pl->ct[i] = ct;
	pl->len[i] = len;
}

/* The current recipient's fixture index, else k. */
static int
recipient_or(const uint8_t *ct, size_t len, int k)
{
	int			i;

	if (sp_ciphertext_check_layout(ct, len) != SP_OK)
		return k;
	i = fuzz_key_index(sp_ciphertext_recipient(ct));
	return i >= 0 ? i : k;
}

/* Cached and uncached re-encryption agree; the result (SP_OK) or NULL. */
static uint8_t *
reenc_both(const uint8_t *ct, size_t len, const uint8_t *grant,
		   sp_rcache *rc)
{
	uint8_t    *o1 = fuzz_alloc(len + SP_HOPBYTES, 0xa5),
			   *o2 = fuzz_alloc(len + SP_HOPBYTES, 0xa5);	/* same junk: untouched alike */
	int			r1 = sp_reencrypt(o1, len + SP_HOPBYTES, ct, len, grant),
				r2 = sp_reencrypt_cached(o2, len + SP_HOPBYTES, ct, len, grant, rc);

	FUZZ_CHECK(r1 == r2, "sp_reencrypt_cached: another code");
	if (r1 == SP_OK || r1 == SP_EPOINT)
		FUZZ_CHECK(memcmp(o1, o2, len + SP_HOPBYTES) == 0,
				   "sp_reencrypt_cached: other bytes");
	free(o2);
	if (r1 != SP_OK)
	{
		free(o1);
		return NULL;
	}
	return o1;
}

static void
val_both(const uint8_t *ct, size_t len, sp_vcache *vc)
{
	FUZZ_CHECK(sp_ciphertext_validate(ct, len) ==
			   sp_ciphertext_validate_path(ct, len, vc),
			   "sp_ciphertext_validate_path: another code");
}

static void
dec_both(const uint8_t *ct, size_t len, int k, sp_dctx *dc)
{
	size_t		cap = sp_ciphertext_check_layout(ct, len) == SP_OK
		? sp_plaintext_bytes(ct, len) : 0;
	uint8_t    *m1 = fuzz_alloc(cap, 0xa5),
			   *m2 = fuzz_alloc(cap, 0xa5);
	size_t		l1 = 1,
				l2 = 2;
	int			r1 = sp_decrypt(m1, cap, &l1, ct, len, &fuzz_key[k]),
				r2 = sp_decrypt_cached(m2, cap, &l2, ct, len, &fuzz_key[k], dc);

	FUZZ_CHECK(r1 == r2 && l1 == l2, "sp_decrypt_cached: another code or length");
	FUZZ_CHECK(memcmp(m1, m2, cap) == 0, "sp_decrypt_cached: other bytes");
	if (r2 != SP_OK)
		FUZZ_CHECK(fuzz_all(m2, cap, 0), "sp_decrypt_cached: failed, bytes left");
	free(m1);
	free(m2);
}

/* A path of h hops from key `from`, keys chosen by the input. */
static void
path_both(reader *r, const uint8_t *ct, size_t len, int from, sp_rcache *rc,
		  pool *pl)
{
	int			h = 1 + (int) (byte(r) % (SP_MAXLEVEL - 1));
	uint8_t    *grants = fuzz_alloc((size_t) h * SP_GRANTBYTES, 0);
	uint8_t    *suffix = fuzz_alloc((size_t) (h - 1) * SP_HOPBYTES + 1, 0);
	uint8_t    *seq = fuzz_dup(ct, len),
			   *out;
	size_t		seqlen = len,
				outlen = len + (size_t) h * SP_HOPBYTES;
	int			cur = from,
				rs = SP_OK,
				r1,
				r2;

	for (int i = 0; i < h; i++)
	{
		int			to = (cur + 1 + (int) (byte(r) % (FUZZ_NKEYS - 1))) % FUZZ_NKEYS;

		memcpy(grants + (size_t) i * SP_GRANTBYTES, all_grant[cur][to], SP_GRANTBYTES);
		/* now and then a link that does not chain */
		cur = (byte(r) & 0x1f) == 0 ? (to + 1) % FUZZ_NKEYS : to;
	}
	/* step by step, uncached */
	for (int i = 0; i < h && rs == SP_OK; i++)
	{
		uint8_t    *next = fuzz_alloc(seqlen + SP_HOPBYTES, 0);

		rs = sp_reencrypt(next, seqlen + SP_HOPBYTES, seq, seqlen,
						  grants + (size_t) i * SP_GRANTBYTES);
		free(seq);
		seq = next;
		seqlen += SP_HOPBYTES;
	}
	r1 = sp_path_suffix(suffix, (size_t) (h - 1) * SP_HOPBYTES, grants, h);
	out = fuzz_alloc(outlen, 0x33);
	r2 = r1 == SP_OK ? sp_reencrypt_path(out, outlen, ct, len, grants, suffix,
										 h - 1, rc) : r1;
	/* same success; on failure sp_reencrypt failed somewhere too */
	FUZZ_CHECK((rs == SP_OK) == (r2 == SP_OK), "sp_reencrypt_path: another outcome");
	if (rs == SP_OK)
	{
		FUZZ_CHECK(memcmp(out, seq, outlen) == 0, "sp_reencrypt_path: other bytes");
		pool_put(pl, out, outlen);
	}
	else
	{
		/* a chain: the first refusal step by step is the path's code */
		if (r1 == SP_OK)
			FUZZ_CHECK(rs == r2, "sp_reencrypt_path: another code");
		free(out);
	}
	free(seq);
	free(suffix);
	free(grants);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		rb = sp_rcache_bytes(2),
				db = sp_dctx_bytes(2),
				vb = sp_vcache_bytes(2);
	sp_rcache  *rc;
	sp_dctx    *dc;
	sp_vcache  *vc;
	pool		pl = {{0}, {0}, 0};
	reader		r = {data, size};
	int			steps = 0;

	fuzz_init();
	grants_init();
	rc = (sp_rcache *) fuzz_alloc(rb, 0);
	dc = (sp_dctx *) fuzz_alloc(db, 0);
	vc = (sp_vcache *) fuzz_alloc(vb, 0);
	FUZZ_CHECK(sp_rcache_init(rc, rb, 2) == SP_OK && sp_dctx_init(dc, db, 2) == SP_OK &&
			   sp_vcache_init(vc, vb, 2) == SP_OK, "cache init");
	/* start with the KAT values */
	for (int i = 0; i < FUZZ_NKEYS; i++)
		pool_put(&pl, fuzz_dup(fuzz_ct[i], fuzz_ctlen[i]), fuzz_ctlen[i]);

	while (r.left > 0 && steps++ < 64)
	{
		unsigned	op = byte(&r) % 7;
		int			i = (int) (byte(&r) % (unsigned) pl.n);
		const uint8_t *ct = pl.ct[i];
		size_t		len = pl.len[i];
		int			k = (int) (byte(&r) % FUZZ_NKEYS);
		int			from = recipient_or(ct, len, k);

		switch (op)
		{
			case 0:				/* a new level-1 value for key k */
				{
					size_t		mlen = byte(&r) % 64,
								clen = sp_ciphertext_bytes(1, fuzz_aadlen, mlen);
					uint8_t    *m = fuzz_alloc(mlen, (int) k),
							   *c = fuzz_alloc(clen, 0);

					FUZZ_CHECK(sp_encrypt(c, clen, fuzz_key[k].pk, m, mlen,
										  fuzz_aad, fuzz_aadlen, fuzz_r, fuzz_u,
										  fuzz_nonce) == SP_OK, "encrypt");
					free(m);
					pool_put(&pl, c, clen);
					break;
				}
			case 1:				/* re-encrypt with a real grant */
			case 2:				/* ... or a changed one */
				{
					int			to = (from + 1 + k % (FUZZ_NKEYS - 1)) % FUZZ_NKEYS;
					uint8_t		g[SP_GRANTBYTES];
					uint8_t    *o;

					memcpy(g, all_grant[from][to], SP_GRANTBYTES);
					if (op == 2)
					{
						/* rk, X, to, signature: the cache keys on them all */
						static const size_t at[4] = {SP_GR_RK, SP_GR_X, SP_GR_TO, SP_GR_SIG};
						unsigned	w = byte(&r);

						g[at[w % 4] + byte(&r) % 32] ^= (uint8_t) (1 + w / 4 % 255);
					}
					if ((o = reenc_both(ct, len, g, rc)) != NULL)
						pool_put(&pl, o, len + SP_HOPBYTES);
					break;
				}
			case 3:
				path_both(&r, ct, len, from, rc, &pl);
				break;
			case 4:				/* decrypt with the recipient, or key k */
				val_both(ct, len, vc);
				dec_both(ct, len, byte(&r) & 1 ? from : k, dc);
				break;
			case 5:				/* flip a byte of the value, in place */
				{
					size_t		off = ((size_t) byte(&r) << 8 | byte(&r)) % len;

					pl.ct[i][off] ^= (uint8_t) (1 + byte(&r) % 255);
					val_both(pl.ct[i], len, vc);
					break;
				}
			case 6:
				if (k & 1)
					sp_rcache_wipe(rc);
				else if (k & 2)
					sp_vcache_wipe(vc);
				else
					sp_dctx_wipe(dc);
				break;
		}
	}
	for (int j = 0; j < pl.n; j++)
		free(pl.ct[j]);
	sp_rcache_wipe(rc);
	sp_dctx_wipe(dc);
	sp_vcache_wipe(vc);
	free(rc);
	free(dc);
	free(vc);
	return 0;
}
