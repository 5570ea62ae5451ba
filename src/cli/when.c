/*
 * when.c - points in time on the command line: ISO 8601 dates and times,
 * durations from now and Unix seconds in; ISO 8601 UTC out.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "when.h"

#define WHEN_FORMS "an ISO 8601 date or time (2027-01-01, 2027-01-01T12:00Z, " \
	"2027-01-01T12:00+02:00), a duration from now (30d, 12h, 90m, 45s, 2w) " \
	"or Unix seconds"

/* Read exactly n decimal digits at *p into *v; false if they are not there. */
static bool
digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++)
	{
		if (!isdigit((unsigned char) **p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

/* Read a UTC offset (Z, +HH, +HH:MM, +HHMM, - likewise) or nothing at *p. */
static bool
offset(const char *p, int *seconds)
{
	int			sign,
				hh,
				mm = 0;

	*seconds = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "z") == 0)
		return true;
	if (*p != '+' && *p != '-')
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if (!digits(&p, 2, &hh))
		return false;
	if (*p == ':')
		p++;
	if (*p != '\0' && !digits(&p, 2, &mm))
		return false;
	if (*p != '\0' || hh > 23 || mm > 59)
		return false;
	*seconds = sign * (hh * 3600 + mm * 60);
	return true;
}

/* Parse an ISO 8601 date, with an optional time and offset. */
static bool
parse_iso(const char *p, int64_t *when)
{
	struct tm	tm = {0};
	int			y, mo, d, h = 0, mi = 0, s = 0, off;
	time_t		t;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
		*p++ != '-' || !digits(&p, 2, &d))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ')
	{
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return false;
		if (*p == ':' && (p++, !digits(&p, 2, &s)))
			return false;
	}
	if (!offset(p, &off) || mo < 1 || mo > 12 || d < 1 || h > 23 ||
		mi > 59 || s > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (tm.tm_mday != d)		/* 2027-02-30: normalised to March */
		return false;
	*when = (int64_t) t - off;
	return true;
}

/* Parse a duration from now: digits and one unit of s, m, h, d, w. */
static bool
parse_duration(const char *p, int64_t now, int64_t *when)
{
	static const char units[] = "smhdw";
	static const int64_t seconds[] = {1, 60, 3600, 86400, 604800};
	int64_t		n = 0;
	const char *u;

	if (!isdigit((unsigned char) *p))
		return false;
	for (; isdigit((unsigned char) *p); p++)
	{
		if (n > INT64_MAX / 10 / 604800)
			return false;
		n = n * 10 + (*p - '0');
	}
	u = *p != '\0' ? strchr(units, *p) : NULL;
	if (u == NULL || p[1] != '\0')
		return false;
	*when = now + n * seconds[u - units];
	return true;
}

/* Parse Unix seconds: decimal digits only. */
static bool
parse_seconds(const char *p, int64_t *when)
{
	int64_t		n = 0;

	if (*p == '\0' || strlen(p) > 18)
		return false;
	for (; *p != '\0'; p++)
	{
		if (!isdigit((unsigned char) *p))
			return false;
		n = n * 10 + (*p - '0');
	}
	*when = n;
	return true;
}

/*
 * Parse a point in time given to option, relative to now; 0 or the exit
 * status of a usage error.
 */
int
parse_when(const char *option, const char *text, int64_t now, int64_t *when)
{
	if (parse_seconds(text, when) || parse_iso(text, when) ||
		parse_duration(text, now, when))
	{
		if (*when >= 0)
			return 0;
		return usage_fail("%s is before 1970", option);
	}
	return usage_fail("%s needs %s", option, WHEN_FORMS);
}

/* Write t (Unix seconds) as ISO 8601 UTC, 2027-01-01T00:00:00Z. */
void
format_when(int64_t t, char *out, size_t size)
{
	time_t		tt = (time_t) t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL ||
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "@%lld", (long long) t);
}
