/*
 * fuzz_inspect.c - the CLI's `secant-pre inspect` path, run in process.
 *
 * The CLI (the .c files of src/cli) keeps most of its functions static, so this
 * harness includes its sources unchanged, with its main() renamed and its
 * standard streams redirected: standard input reads the fuzz input
 * (fmemopen), standard output and error go to memory (open_memstream;
 * printf and friends are redirected too).
 * Each input runs the real cmd_inspect(): read, sp_text_kind,
 * decode_value (sp_text_decode + sp_validate), then the JSON description;
 * or, for a passphrase-protected key file (prelocked_), its header only
 * (no passphrase option is given, so it is never opened).
 * Checks:
 *   - exit status 0 or 1, and 0 exactly when the value decodes and
 *     validates as its kind, or is a protected key file whose header
 *     parses (checked independently with the core);
 *   - on success, one JSON object on one line ("{...}\n"), and nothing on
 *     standard error; on failure, nothing on standard output and one line
 *     on standard error;
 *   - no secret is ever printed: for a secret key, neither its text nor
 *     its hex appears in the output, nor a grant's rk in hex; and no
 *     message carries a run of 24 base64url characters (which only an
 *     echoed input could be).
 * The CLI is a client of libsecant-pre: run.sh builds this harness against
 * the library's public header (every core header a shim of it) and links
 * src/lib/sp_lib.c with the core.
 */
#include <stdio.h>

/* the fuzz harness's replacements of the CLI's standard streams */
static FILE *fuzz_cli_in,
		   *fuzz_cli_out,
		   *fuzz_cli_err;

#undef stdin
#undef stdout
#undef stderr
#define stdin fuzz_cli_in
#define stdout fuzz_cli_out
#define stderr fuzz_cli_err
#define printf(...) fprintf(fuzz_cli_out, __VA_ARGS__)
#define puts(s) (fputs((s), fuzz_cli_out), fputc('\n', fuzz_cli_out))
#define putchar(c) fputc((c), fuzz_cli_out)
#define main secant_pre_cli_main
#include "cli_sources.h"		/* every src/cli/*.c, listed by run.sh */
#undef main
#undef printf
#undef puts
#undef putchar
#undef stdin
#undef stdout
#undef stderr

#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does hay[0..haylen) contain needle[0..nlen)? */
static int
contains(const char *hay, size_t haylen, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > haylen)
		return 0;
	/* by hand: libFuzzer's memcmp hook is slow on long haystacks */
	for (size_t i = 0; i + nlen <= haylen; i++)
	{
		size_t		j = 0;

		while (j < nlen && hay[i + j] == needle[j])
			j++;
		if (j == nlen)
			return 1;
	}
	return 0;
}

static int
is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Length of the longest run of base64url characters. */
static size_t
longest_b64_run(const char *s, size_t len)
{
	size_t		run = 0,
				best = 0;

	for (size_t i = 0; i < len; i++)
	{
		run = is_b64url(s[i]) ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* The status inspect must give: decode and validate with the core. */
static int
expected_status(const char *text, size_t len, int *kind_out)
{
	int			kind = sp_text_kind(text, len);
	size_t		cap = sp_text_decoded_max(len);
	uint8_t    *bin;
	size_t		blen = 0;
	int			rc;

	*kind_out = kind;
	if (kind < 0)
	{
		uint8_t		file[SP_KF_BYTES];
		sp_kf_header h;

		return sp_keyfile_text_decode(file, text, len) == SP_KF_OK &&
			sp_keyfile_parse(file, sizeof file, &h) == SP_KF_OK ? 0 : 1;
	}
	bin = fuzz_alloc(cap, 0);
	rc = sp_text_decode(bin, cap, &blen, (sp_kind) kind, text, len);
	if (rc == SP_OK)
		rc = sp_validate((sp_kind) kind, bin, blen);
	if (rc == SP_OK && kind == SP_KIND_SECRET_KEY)
	{
		sp_secret	key;

		rc = sp_secret_expand(&key, bin);
		sp_secret_wipe(&key);
	}
	free(bin);
	return rc == SP_OK ? 0 : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static args a;				/* inspect with no options */
	char	   *in = (char *) fuzz_dup(data, size);
	char	   *out = NULL,
			   *err = NULL;
	size_t		outlen = 0,
				errlen = 0;
	int			status,
				want,
				kind;

	fuzz_init();
	/* fmemopen refuses a zero-length buffer on some libcs */
	fuzz_cli_in = size > 0 ? fmemopen(in, size, "r") : fopen("/dev/null", "r");
	fuzz_cli_out = open_memstream(&out, &outlen);
	fuzz_cli_err = open_memstream(&err, &errlen);
	FUZZ_CHECK(fuzz_cli_in && fuzz_cli_out && fuzz_cli_err, "stream setup");
	command_name = "inspect";
	a.cmd = find_command("inspect");
	FUZZ_CHECK(a.cmd != NULL, "no inspect command");

	status = cmd_inspect(&a);

	fclose(fuzz_cli_in);
	fclose(fuzz_cli_out);
	fclose(fuzz_cli_err);

	want = expected_status(in, size, &kind);
	FUZZ_CHECK(status == 0 || status == 1, "inspect: exit status not 0/1");
	FUZZ_CHECK(status == want, "inspect accepts/refuses unlike the core");
	if (status == 0)
	{
		FUZZ_CHECK(errlen == 0, "inspect succeeded but wrote to stderr");
		FUZZ_CHECK(outlen >= 3 && out[0] == '{' &&
				   memcmp(out + outlen - 2, "}\n", 2) == 0 &&
				   memchr(out, '\n', outlen) == out + outlen - 1,
				   "inspect output is not one JSON object on one line");
		FUZZ_CHECK(contains(out, outlen, "\"type\":\"", 8),
				   "inspect output without a type");
	}
	else
	{
		FUZZ_CHECK(outlen == 0, "inspect failed but wrote to stdout");
		FUZZ_CHECK(errlen > 0 && err[errlen - 1] == '\n' &&
				   memchr(err, '\n', errlen) == err + errlen - 1,
				   "inspect failure is not one line on stderr");
	}
	/* never print a secret key: neither its text nor its bytes in hex */
	if (kind == SP_KIND_SECRET_KEY && status == 0)
	{
		const char *t = in;
		size_t		tl = size;
		uint8_t		seed[SP_SEEDBYTES];
		char		hex[2 * SP_SEEDBYTES + 1];
		size_t		sl = 0;

		while (tl > 0 && (*t == ' ' || (*t >= '\t' && *t <= '\r')))
			t++, tl--;
		FUZZ_CHECK(sp_text_decode(seed, sizeof seed, &sl, SP_KIND_SECRET_KEY,
								  in, size) == SP_OK, "re-decode seed");
		sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
		FUZZ_CHECK(!contains(out, outlen, t + 6, 43) &&
				   !contains(out, outlen, hex, 64) &&
				   !contains(out, outlen, "presk_", 6),
				   "inspect printed a secret key");
		sodium_memzero(seed, sizeof seed);
	}
	/* never print a grant's rk (a secret of the delegator) */
	if (kind == SP_KIND_GRANT && status == 0)
	{
		uint8_t		g[SP_GRANTBYTES];
		char		hex[2 * SP_SCALARBYTES + 1];
		size_t		gl = 0;

		FUZZ_CHECK(sp_text_decode(g, sizeof g, &gl, SP_KIND_GRANT,
								  in, size) == SP_OK, "re-decode grant");
		sodium_bin2hex(hex, sizeof hex, g + SP_GR_RK, SP_SCALARBYTES);
		FUZZ_CHECK(!contains(out, outlen, hex, 64) &&
				   !contains(out, outlen, "pregrant_", 9),
				   "inspect printed a grant's rk");
		sodium_memzero(g, sizeof g);
	}
	/*
	 * Messages never echo the value.  The fixed message texts have no run
	 * of 24 base64url characters (the longest are type names such as
	 * "pre_ciphertext"), so such a run on stderr is part of an input.
	 */
	if (status != 0)
		FUZZ_CHECK(longest_b64_run(err, errlen) < 24,
				   "inspect echoed its input on stderr");
	free(out);
	free(err);
	free(in);
	return 0;
}
