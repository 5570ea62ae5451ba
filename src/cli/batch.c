/*
 * batch.c - what the batch commands share: one record a line, with the
 * same id convention for all (ID<TAB>VALUE, the id copied to the output),
 * and JSON strings for the JSON lines of decrypt --batch.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "io.h"

/* Split the line p/len into r; false if it is empty. */
bool
split_record(const char *p, size_t len, record *r)
{
	const char *t1;
	const char *t2;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	*r = (record) {NULL, 0, p, len, NULL, 0};
	if (len == 0)
		return false;
	t1 = memchr(p, '\t', len);
	if (t1 == NULL)
		return true;
	r->id = p;
	r->idlen = (size_t) (t1 - p);
	r->value = t1 + 1;
	r->len = len - r->idlen - 1;
	t2 = memchr(r->value, '\t', r->len);
	if (t2 != NULL)
	{
		r->more = t2 + 1;
		r->morelen = (size_t) (p + len - r->more);
		r->len = (size_t) (t2 - r->value);
	}
	return true;
}

/* True if the len bytes at s are UTF-8 text (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool
is_utf8(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len;)
	{
		uint8_t		c = s[i];
		size_t		n = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 :
			c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
		uint32_t	cp = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;

		if (n == 9 || len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
			(n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += n + 1;
	}
	return true;
}

/* Append len bytes to b; 0 or the exit status 1. */
int
append(buf *b, const void *data, size_t len)
{
	if (b->cap - b->len < len + 1 &&
		buf_reserve(b, 2 * (b->len + len) + 64) != 0)
		return 1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* Append the string s to b. */
int
append_str(buf *b, const char *s)
{
	return append(b, s, strlen(s));
}

/* Append s (UTF-8) to b as a JSON string, with quotes. */
int
append_json(buf *b, const char *s, size_t len)
{
	int			rc = append(b, "\"", 1);

	for (size_t i = 0; rc == 0 && i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];

		if (c == '"' || c == '\\')
			rc = append(b, c == '"' ? "\\\"" : "\\\\", 2);
		else if (c < 0x20 || c == 0x7F)
		{
			snprintf(esc, sizeof esc, "\\u%04x", c);
			rc = append(b, esc, 6);
		}
		else
			rc = append(b, &s[i], 1);
	}
	return rc == 0 ? append(b, "\"", 1) : rc;
}
