/*
 * hello.c - the smallest client of libsecant-pre, built by test/libsecant/run.sh
 * exactly as the README says: cc hello.c $(pkg-config --cflags --libs
 * secant-pre).  Makes keys, encrypts, grants, re-encrypts, decrypts in a
 * batch context and makes a token; one "ok"/"not ok" line per check and
 * "N passed, M failed" at the end.
 */
#include <stdio.h>
#include <string.h>

#include <secant_pre.h>

static int	passed,
			failed;

static void
check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

int
main(void)
{
	static const char note[] = "HbA1c 7.9 %";
	uint8_t		seed_a[SP_SEEDBYTES],
				seed_b[SP_SEEDBYTES];
	uint8_t		pk_a[SP_PUBLICKEYBYTES],
				pk_b[SP_PUBLICKEYBYTES];
	uint8_t		grant[SP_GRANTBYTES];
	uint8_t		ct[512],
				ct2[512 + SP_HOPBYTES],
				m[64],
				token[SP_TOKENBYTES],
				index_key[SP_INDEXKEYBYTES] = {1};
	char		text[1024];
	size_t		ctlen = sp_ciphertext_bytes(1, 4, sizeof note - 1),
				mlen = 0;
	sp_secret  *a,
			   *b;
	sp_dctx    *ctx = sp_dctx_new(16);
	int			err = 0;

	check(sp_init() == SP_OK, "sp_init");
	check(strcmp(sp_library_version(), SECANT_PRE_VERSION_STRING) == 0,
		  "library and header versions agree");
	check(sp_keygen(seed_a) == SP_OK && sp_keygen(seed_b) == SP_OK, "keygen");
	a = sp_secret_new(seed_a, &err);
	b = sp_secret_new(seed_b, &err);
	check(a != NULL && b != NULL && err == SP_OK, "secret keys expanded");
	if (a == NULL || b == NULL || ctx == NULL)
		return 1;
	sp_secret_public_key(pk_a, a);
	sp_secret_public_key(pk_b, b);
	check(sp_text_encode(text, sizeof text, SP_KIND_PUBLIC_KEY, pk_a, sizeof pk_a) == SP_OK &&
		  strncmp(text, "prepk_", 6) == 0, "public key text form");
	check(sp_encrypt_random(ct, ctlen, pk_a, (const uint8_t *) note, sizeof note - 1,
							(const uint8_t *) "p:47", 4) == SP_OK, "encrypt");
	check(sp_grant_random(grant, a, pk_b, 0) == SP_OK &&
		  sp_grant_validate(grant) == SP_OK, "grant a -> b");
	check(sp_reencrypt(ct2, ctlen + SP_HOPBYTES, ct, ctlen, grant) == SP_OK &&
		  sp_ciphertext_level(ct2) == 2, "re-encrypt to level 2");
	check(sp_decrypt_cached(m, sizeof m, &mlen, ct2, ctlen + SP_HOPBYTES, b, ctx) == SP_OK &&
		  mlen == sizeof note - 1 && memcmp(m, note, mlen) == 0, "b decrypts in a context");
	check(sp_decrypt_cached(m, sizeof m, &mlen, ct2, ctlen + SP_HOPBYTES, a, ctx) == SP_EWRONGKEY,
		  "a is refused at level 2: SP_EWRONGKEY");
	check(sp_token_keyword(token, index_key, (const uint8_t *) "Twice", 5) == SP_OK,
		  "token of a keyword");
	check(strcmp(sp_strerror(SP_EDECRYPT), "") != 0, "sp_strerror");
	sp_dctx_free(ctx);
	sp_secret_free(a);
	sp_secret_free(b);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
