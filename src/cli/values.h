/*
 * values.h - values in their text forms (values.c).
 */
#ifndef CLI_VALUES_H
#define CLI_VALUES_H

#include "secant_pre.h"
#include "io.h"

/* Decode the text form of a value of kind and validate the value fully. */
int			decode_value(const char *text, size_t len, sp_kind kind, buf *value);

/* decode_value, its public keys checked through a cache (may be NULL):
 * rewrap's workers check the retired and the new key once each */
int			decode_value_cached(const char *text, size_t len, sp_kind kind,
								sp_keycache *cache, buf *value);

/* Refuse the text of name if it holds several lines: one value is read. */
int			check_one_value(const char *name, const buf *text);

/* Decode the text of name (a file or standard input) as a value of kind. */
int			decode_source(const char *name, const buf *text, sp_kind kind, buf *value);

/* Load a value of kind from a file, or from standard input if path is NULL. */
int			load_value(const char *path, sp_kind kind, buf *value);

/* Load a value given as an argument: its text form, or @FILE. */
int			load_arg(const char *arg, sp_kind kind, buf *value);

/* Encode n values of kind, len bytes each, in text form, one per line. */
int			encode_lines(sp_kind kind, const uint8_t *bin, size_t len, size_t n,
						 buf *text);

/* Print the text form of a value on its own line of standard output. */
int			print_value(sp_kind kind, const uint8_t *bin, size_t len);

/* Print the result of a core operation, or report its failure. */
int			emit(int err, const char *what, sp_kind kind, const uint8_t *bin, size_t len);

/* Print the text form of a core operation's result, or write it (a secret)
 * to the new file path (-o; NULL: standard output). */
int			emit_to(const char *path, int err, const char *what, sp_kind kind,
					const uint8_t *bin, size_t len);

/* emit_to for a secret: written to standard output (path NULL) with a
 * warning if others can read it there. */
int			emit_secret_to(const char *path, int err, const char *what, sp_kind kind,
						   const uint8_t *bin, size_t len);

#endif							/* CLI_VALUES_H */
