/*
 * values.c - secant_pre values in their text forms (presk_, prepk_,
 * pregrant_, prect_, pretok_, ...): decoded and validated from arguments
 * (the text, or @FILE), files and standard input, refused with what they
 * hold when they are of another kind; encoded and printed one per line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"
#include "report.h"
#include "values.h"

/* Decode the text form of a value of kind and validate the value fully. */
int
decode_value(const char *text, size_t len, sp_kind kind, buf *value)
{
	return decode_value_cached(text, len, kind, NULL, value);
}

/* decode_value, its public keys checked through a cache (may be NULL) */
int
decode_value_cached(const char *text, size_t len, sp_kind kind,
					sp_keycache *cache, buf *value)
{
	int			err;

	if (buf_reserve(value, sp_text_decoded_max(len)) != 0)
		return EXIT_FAILURE;
	err = sp_text_decode(value->data, value->cap, &value->len, kind,
						 text, len);
	if (err == SP_OK)
		err = sp_validate_cached(kind, value->data, value->len, cache);
	return err == SP_OK ? 0 : fail_invalid(kind, err);
}

/* Refuse the text of name if it holds a value of another kind, saying what it holds. */
static int
check_holds(const char *name, const uint8_t *text, size_t len, sp_kind kind)
{
	int			held = sp_text_kind((const char *) text, len);

	if (sp_keyfile_is_text((const char *) text, len))
		return fail("%s is a passphrase-protected key file (prelocked_); "
					"this needs %s", name, kind_phrase(kind));
	if (held >= 0 && held != (int) kind)
		return fail("%s is %s; this needs %s", name, kind_phrase(held),
					kind_phrase(kind));
	return 0;
}

/*
 * Refuse the text of name if it holds several lines (a value and white
 * space around it is one), saying how many: the command reads one value.
 */
int
check_one_value(const char *name, const buf *text)
{
	const uint8_t *p = text->data;
	size_t		len = text->len;
	size_t		lines = 1;

	trim(&p, &len);
	for (size_t i = 0; i < len; i++)
		lines += p[i] == '\n';
	if (lines == 1)
		return 0;
	return fail("%s holds %zu lines, but %s reads one value from it%s", name,
				lines, command_name,
				strcmp(command_name, "decrypt") == 0 && strcmp(name, "standard input") == 0 ?
				" (decrypt --batch reads one a line)" : "");
}

/* Decode the text of name (a file or standard input) as a value of kind. */
int
decode_source(const char *name, const buf *text, sp_kind kind, buf *value)
{
	int			rc = check_one_value(name, text);

	if (rc == 0)
		rc = check_holds(name, text->data, text->len, kind);

	if (rc == 0)
		rc = decode_value((const char *) text->data, text->len, kind, value);
	return rc;
}

/* Load a value of kind from a file, or from standard input if path is NULL. */
int
load_value(const char *path, sp_kind kind, buf *value)
{
	buf			text = {0};
	int			rc = read_source(path, &text);

	if (rc == 0)
		rc = decode_source(source_name(path), &text, kind, value);
	buf_free(&text);
	return rc;
}

/* True if arg names an existing file (for the @FILE hint). */
static bool
names_a_file(const char *arg)
{
	struct stat st;

	return arg[0] != '\0' && strchr(arg, '\n') == NULL && stat(arg, &st) == 0 &&
		S_ISREG(st.st_mode);
}

/* Load a value given as an argument: its text form, or @FILE. */
int
load_arg(const char *arg, sp_kind kind, buf *value)
{
	size_t		len = strlen(arg);
	int			held = sp_text_kind(arg, len);

	if (arg[0] == '@')
		return load_value(arg + 1, kind, value);
	if (held == SP_KIND_SECRET_KEY)
		return fail("secret keys are never accepted on the command line");
	if (held < 0 && names_a_file(arg))
		return fail("the argument is not %s but the name of a file: write "
					"@%s to read the value from it", kind_phrase(kind), arg);
	if (held >= 0 && held != (int) kind)
		return fail("the argument is %s; this needs %s", kind_phrase(held),
					kind_phrase(kind));
	return decode_value(arg, len, kind, value);
}

/* Encode n values of kind, len bytes each, in text form, one per line. */
int
encode_lines(sp_kind kind, const uint8_t *bin, size_t len, size_t n,
			 buf *text)
{
	size_t		line = sp_text_bytes(kind, len);	/* its NUL becomes \n */
	int			err = SP_OK;

	if (n > SIZE_MAX / line)
		return fail("out of memory");
	if (buf_reserve(text, n * line) != 0)
		return EXIT_FAILURE;
	for (size_t i = 0; err == SP_OK && i < n; i++)
	{
		err = sp_text_encode((char *) text->data + i * line, line, kind,
							 bin + i * len, len);
		text->data[i * line + line - 1] = '\n';
	}
	if (err != SP_OK)
		return fail_sp("cannot encode value", err);
	text->len = n * line;
	return 0;
}

/* Print the text form of a value on its own line of standard output. */
int
print_value(sp_kind kind, const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc = encode_lines(kind, bin, len, 1, &text);

	if (rc == 0)
		write_out(text.data, text.len);
	buf_free(&text);
	return rc;
}

/* Print the result of a core operation, or report its failure. */
int
emit(int err, const char *what, sp_kind kind, const uint8_t *bin, size_t len)
{
	if (err != SP_OK)
		return fail_sp(what, err);
	return print_value(kind, bin, len);
}

/* Print the text form of a core operation's result, or write it (a secret)
 * to the new file path (-o; NULL: standard output). */
int
emit_to(const char *path, int err, const char *what, sp_kind kind,
		const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc;

	if (path == NULL)
		return emit(err, what, kind, bin, len);
	if (err != SP_OK)
		return fail_sp(what, err);
	rc = encode_lines(kind, bin, len, 1, &text);
	if (rc == 0)
		rc = write_secret(path, text.data, text.len);
	buf_free(&text);
	return rc;
}

/* emit_to for a secret: written to standard output (path NULL) with a
 * warning if others can read it there. */
int
emit_secret_to(const char *path, int err, const char *what, sp_kind kind,
			   const uint8_t *bin, size_t len)
{
	if (path == NULL && err == SP_OK)
		warn_readable_stdout("use -o FILE, which creates it with mode 0600");
	return emit_to(path, err, what, kind, bin, len);
}
