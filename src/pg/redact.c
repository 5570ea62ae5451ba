/*
 * redact.c - an emit_log_hook that takes secret keys and grants out of
 * every server log entry.
 *
 * A secret key or a grant pasted into SQL by mistake (an INSERT that fails
 * on a foreign key, a key where another type is expected, a grant given to
 * a function that fails) would otherwise reach the log in the STATEMENT:
 * line (log_min_error_statement = error by default), in a DETAIL (failing
 * row, "parameters: $1 = ..."), a CONTEXT or a QUERY line, and with
 * log_statement in "statement: ..." itself.  The hook redacts, in the
 * message, detail, server-log detail, hint, context and internal query:
 *   presk_...    and  pregrant_...   (text forms: the prefix is kept)
 *   53504752...  a grant's bytes in hex ("SPGR", its magic: \x bytea
 *                literals, encode(..., 'hex')), any case
 *   U1BHUgEA...  a grant's bytes in standard base64 (encode(..., 'base64'))
 * each followed by the rest of its run of characters of that encoding,
 * replaced by "[redacted]".  The statement (debug_query_string, not part
 * of ErrorData) is hidden when it holds one, and a redacted copy goes
 * into the server-log detail instead.  Then the previous hook runs.
 *
 * The hook runs inside error reporting: it must not raise.  It allocates
 * with MCXT_ALLOC_NO_OOM in the error context; when that fails, the secret
 * characters are overwritten in place and the statement is only hidden.
 * A seed in hex, or any secret in a form not listed, is not recognised
 * (README, "Security model").
 *
 * Node trees printed by debug_print_parse, debug_print_rewritten and
 * debug_print_plan (settable by any role) show every constant's bytes as
 * decimal numbers (":constvalue 272 [ 83 80 71 82 ... ]"): a grant or a
 * secret key in a statement would reach the log that way.  Every constant's
 * bytes are blanked in place there.
 */
#include "postgres.h"

#include "tcop/tcopprot.h"
#include "utils/elog.h"
#include "utils/guc.h"

#include "redact.h"

#define REDACTED "[redacted]"
#define STATEMENT_LABEL "redacted statement: "

/* One recognised form: a prefix, then a run of characters of a kind. */
typedef struct secret_form
{
	const char *prefix;
	bool		keep_prefix;	/* the prefix stays in the redacted text */
	bool		any_case;		/* the prefix matches in either case */
	bool		(*body) (char c);
} secret_form;

static bool
is_base64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* Standard base64, across the line breaks encode() puts in. */
static bool
is_base64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
		c == '\n' || c == '\r';
}

static const secret_form forms[] = {
	{"presk_", true, false, is_base64url},
	{"pregrant_", true, false, is_base64url},
	{"53504752", false, true, is_hex},
	{"U1BHUgEA", false, false, is_base64},
};

static emit_log_hook_type prev_emit_log_hook = NULL;

/* Does form f start at s (and have at least one body character)? */
static bool
form_at(const secret_form *f, const char *s)
{
	size_t		n = strlen(f->prefix);

	if (f->any_case ? pg_strncasecmp(s, f->prefix, n) != 0
		: strncmp(s, f->prefix, n) != 0)
		return false;
	return f->body(s[n]);
}

/*
 * The first secret at or after s: sets *start, *keep (its bytes that stay)
 * and *end; false if there is none.
 */
static bool
next_secret(const char *s, const char **start, size_t *keep,
			const char **end)
{
	for (; *s; s++)
		for (int i = 0; i < lengthof(forms); i++)
		{
			const secret_form *f = &forms[i];
			const char *e;

			if (!form_at(f, s))
				continue;
			for (e = s + strlen(f->prefix); *e && f->body(*e); e++)
				;
			*start = s;
			*keep = f->keep_prefix ? strlen(f->prefix) : 0;
			*end = e;
			return true;
		}
	return false;
}

/* Length of s with every secret replaced, or 0 when s holds none. */
static size_t
redacted_length(const char *s)
{
	const char *start,
			   *end;
	size_t		keep,
				len = strlen(s);
	bool		found = false;

	while (next_secret(s, &start, &keep, &end))
	{
		len = len - (size_t) (end - start) + keep + strlen(REDACTED);
		found = true;
		s = end;
	}
	return found ? len : 0;
}

/* Copy s into out (room checked by the caller) with secrets replaced. */
static void
copy_redacted(char *out, const char *s)
{
	const char *start,
			   *end;
	size_t		keep;

	while (next_secret(s, &start, &keep, &end))
	{
		memcpy(out, s, (size_t) (start - s) + keep);
		out += (start - s) + keep;
		memcpy(out, REDACTED, strlen(REDACTED));
		out += strlen(REDACTED);
		s = end;
	}
	strcpy(out, s);
}

/* Overwrite the secrets of s in place (no memory left to copy it). */
static void
blank_secrets(char *s)
{
	const char *start,
			   *end;
	size_t		keep;

	while (next_secret(s, &start, &keep, &end))
	{
		memset((char *) start + keep, '*', (size_t) (end - start) - keep);
		s = (char *) end;
	}
}

/* A redacted copy of s with room for extra more bytes, or NULL. */
static char *
redacted_copy(const char *s, size_t len, size_t extra)
{
	char	   *out = palloc_extended(len + extra + 1,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);

	if (out != NULL)
		copy_redacted(out, s);
	return out;
}

/* Redact one palloc'd field of an ErrorData. */
static void
redact_field(char **field)
{
	size_t		len;
	char	   *out;

	if (*field == NULL || (len = redacted_length(*field)) == 0)
		return;
	out = redacted_copy(*field, len, 0);
	if (out == NULL)
	{
		blank_secrets(*field);
		return;
	}
	pfree(*field);
	*field = out;
}

/* Would elog.c add the STATEMENT: line to this entry? (is_log_level_output) */
static bool
statement_logged(int elevel)
{
	if (elevel == LOG || elevel == LOG_SERVER_ONLY)
		return log_min_error_statement == LOG ||
			log_min_error_statement <= ERROR;
	if (elevel == WARNING_CLIENT_ONLY)
		return false;
	if (log_min_error_statement == LOG)
		return elevel >= FATAL;
	return elevel >= log_min_error_statement;
}

/*
 * Hide a statement that holds a secret; append its redacted copy to the
 * server-log detail (or to the detail, which the log shows otherwise).
 */
static void
redact_statement(ErrorData *edata)
{
	const char *stmt = debug_query_string;
	const char *base;
	size_t		len,
				baselen;
	char	   *out;

	if (stmt == NULL || edata->hide_stmt || !statement_logged(edata->elevel) ||
		(len = redacted_length(stmt)) == 0)
		return;
	edata->hide_stmt = true;
	base = edata->detail_log ? edata->detail_log : edata->detail;
	baselen = base ? strlen(base) + 1 : 0;
	out = palloc_extended(baselen + strlen(STATEMENT_LABEL) + len + 1,
						  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (out == NULL)
		return;
	if (base)
	{
		memcpy(out, base, baselen - 1);
		out[baselen - 1] = '\n';
	}
	memcpy(out + baselen, STATEMENT_LABEL, strlen(STATEMENT_LABEL));
	copy_redacted(out + baselen + strlen(STATEMENT_LABEL), stmt);
	if (edata->detail_log)
		pfree(edata->detail_log);
	edata->detail_log = out;
}

/*
 * Blank, in place, the bytes of every constant of a printed node tree:
 * ":constvalue N [ b b b ... ]" keeps its brackets, the numbers become
 * spaces and "redacted" is written where they began.
 */
static void
blank_constants(char *s)
{
	static const char key[] = ":constvalue";
	char	   *p = s;

	while (p != NULL && (p = strstr(p, key)) != NULL)
	{
		char	   *open = strchr(p + sizeof key - 1, '[');
		char	   *close;

		if (open == NULL || (close = strchr(open, ']')) == NULL)
			return;
		for (char *q = open + 1; q < close; q++)
			if (*q != '\n')
				*q = ' ';
		if (close - open > 9)
			memcpy(open + 2, "redacted", 8);
		p = close;
	}
}

/* emit_log_hook: redact, then pass the entry on. */
static void
redact_log(ErrorData *edata)
{
	if (edata->detail != NULL)
		blank_constants(edata->detail);
	if (edata->detail_log != NULL)
		blank_constants(edata->detail_log);
	redact_field(&edata->message);
	redact_field(&edata->detail);
	redact_field(&edata->detail_log);
	redact_field(&edata->hint);
	redact_field(&edata->context);
	redact_field(&edata->internalquery);
	redact_statement(edata);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* Install the hook once per process, ahead of any earlier one. */
void
sp_redact_install(void)
{
	static bool installed = false;

	if (installed)
		return;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = redact_log;
	installed = true;
}
