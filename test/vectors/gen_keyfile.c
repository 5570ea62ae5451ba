/*
 * gen_keyfile.c - computes test/vectors/keyfile.json, the known answers of
 * protected key files (docs/SCHEME.md, "Protected key files"), with
 * libsodium's crypto_pwhash and crypto_aead_xchacha20poly1305_ietf_encrypt
 * called directly and the bytes laid out here by hand: it shares no code
 * with src/core/sp_keyfile.c.
 *
 *   cc -o gen_keyfile test/vectors/gen_keyfile.c -lsodium
 *   ./gen_keyfile > test/vectors/keyfile.json
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

typedef struct vector
{
	const char *name;
	int			content;		/* 1 PRE secret key seed, 2 index key */
	const char *passphrase;
	unsigned long long opslimit;
	size_t		memlimit;
	uint8_t		secret_first;	/* secret = first, first+1, ... */
	uint8_t		salt_first;
	uint8_t		nonce_first;
} vector;

static const vector vectors[] = {
	{"secret key, smallest limits", 1, "correct horse battery staple", 1, 8192, 0x00, 0x10, 0x20},
	{"index key, smallest limits", 2, "pass phrase \xc3\xa4\xc3\xb6\xc3\xbc", 1, 8192, 0x40, 0x50, 0x60},
	{"secret key, INTERACTIVE limits", 1, "correct horse battery staple", 2, 67108864, 0x80, 0x90, 0xa0},
};

static void
hex(const char *name, const uint8_t *b, size_t n, const char *end)
{
	printf("      \"%s\": \"", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\"%s\n", end);
}

int
main(void)
{
	size_t		nv = sizeof vectors / sizeof vectors[0];

	if (sodium_init() < 0)
		return 1;
	printf("{\n  \"description\": \"secant_pre protected key files (docs/SCHEME.md, Protected key files), computed by test/vectors/gen_keyfile.c with libsodium directly\",\n");
	printf("  \"prefix\": \"prelocked_\",\n  \"vectors\": [\n");
	for (size_t v = 0; v < nv; v++)
	{
		const vector *t = &vectors[v];
		uint8_t		secret[32], salt[16], nonce[24], key[32], file[112];
		char		text[10 + 151];
		unsigned long long clen;

		for (int i = 0; i < 32; i++)
			secret[i] = (uint8_t) (t->secret_first + i);
		for (int i = 0; i < 16; i++)
			salt[i] = (uint8_t) (t->salt_first + i);
		for (int i = 0; i < 24; i++)
			nonce[i] = (uint8_t) (t->nonce_first + i);
		memset(file, 0, sizeof file);
		memcpy(file, "SPKF", 4);
		file[4] = 1;			/* version */
		file[5] = (uint8_t) t->content;
		file[6] = 1;			/* Argon2id v1.3 */
		file[7] = 0;			/* reserved */
		memcpy(file + 8, salt, 16);
		for (int i = 0; i < 8; i++)
			file[24 + i] = (uint8_t) (t->opslimit >> (8 * i));
		for (int i = 0; i < 8; i++)
			file[32 + i] = (uint8_t) ((unsigned long long) t->memlimit >> (8 * i));
		memcpy(file + 40, nonce, 24);
		if (crypto_pwhash(key, sizeof key, t->passphrase, strlen(t->passphrase),
						  salt, t->opslimit, t->memlimit,
						  crypto_pwhash_ALG_ARGON2ID13) != 0)
			return 1;
		crypto_aead_xchacha20poly1305_ietf_encrypt(file + 64, &clen, secret, 32,
												   file, 64, NULL, nonce, key);
		memcpy(text, "prelocked_", 10);
		sodium_bin2base64(text + 10, sizeof text - 10, file, sizeof file,
						  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		printf("    {\n      \"name\": \"%s\",\n", t->name);
		printf("      \"content\": %d,\n", t->content);
		hex("passphrase_utf8", (const uint8_t *) t->passphrase, strlen(t->passphrase), ",");
		printf("      \"opslimit\": %llu,\n      \"memlimit\": %zu,\n", t->opslimit, t->memlimit);
		hex("salt", salt, 16, ",");
		hex("nonce", nonce, 24, ",");
		hex("secret", secret, 32, ",");
		hex("derived_key", key, 32, ",");
		hex("file", file, 112, ",");
		printf("      \"text\": \"%s\"\n    }%s\n", text, v + 1 < nv ? "," : "");
	}
	printf("  ]\n}\n");
	return 0;
}
