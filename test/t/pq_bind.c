/*
 * pq_bind - run one SQL statement with bound parameters through libpq, the
 * way an application passes a secret key: the statement text holds only
 * $1, $2, ...; each parameter's value is read from a file (never from the
 * command line, where `ps` would show it).  Used by test/t/secrets.sh.
 *
 *   pq_bind [-b] [-o] SQL [PARAM_FILE ...]
 *
 * Connection from the environment (PGHOST, PGPORT, PGUSER, PGDATABASE).
 * -b  send the parameters in binary format (the file holds the raw bytes)
 * -o  afterwards, from a second connection, print the first connection's
 *     pg_stat_activity.query as "activity: ..."
 * Prints each result row, columns separated by tabs.  On an error prints
 * "error SQLSTATE: message" on stderr and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static char *
slurp(const char *path, int *len, int binary)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		n = 0,
				cap = 0,
				r;

	if (!f)
	{
		perror(path);
		exit(2);
	}
	do
	{
		if (n + 4096 + 1 > cap)
		{
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	if (!binary)
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
	buf[n] = '\0';
	*len = (int) n;
	return buf;
}

int
main(int argc, char **argv)
{
	int			binary = 0,
				observe = 0,
				argi = 1,
				nparams,
				i,
				j;
	const char **values;
	int		   *lengths,
			   *formats;
	PGconn	   *conn;
	PGresult   *res;

	for (; argi < argc && argv[argi][0] == '-' && argv[argi][1]; argi++)
	{
		if (strcmp(argv[argi], "-b") == 0)
			binary = 1;
		else if (strcmp(argv[argi], "-o") == 0)
			observe = 1;
		else
			break;
	}
	if (argi >= argc)
	{
		fprintf(stderr, "usage: pq_bind [-b] [-o] SQL [PARAM_FILE ...]\n");
		return 2;
	}
	nparams = argc - argi - 1;
	values = calloc(nparams + 1, sizeof *values);
	lengths = calloc(nparams + 1, sizeof *lengths);
	formats = calloc(nparams + 1, sizeof *formats);
	for (i = 0; i < nparams; i++)
	{
		values[i] = slurp(argv[argi + 1 + i], &lengths[i], binary);
		formats[i] = binary;
	}
	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(conn));
		return 2;
	}
	res = PQexecParams(conn, argv[argi], nparams, NULL, values, lengths,
					   formats, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		for (i = 0; i < PQntuples(res); i++)
			for (j = 0; j < PQnfields(res); j++)
				printf("%s%s", PQgetvalue(res, i, j),
					   j + 1 < PQnfields(res) ? "\t" : "\n");
	}
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		fprintf(stderr, "error %s: %s\n", state ? state : "?", msg ? msg : "?");
		if (!observe)
			return 1;
	}
	if (observe)
	{
		PGconn	   *other = PQconnectdb("");
		char		sql[128];
		PGresult   *act;

		snprintf(sql, sizeof sql,
				 "SELECT query FROM pg_stat_activity WHERE pid = %d",
				 PQbackendPID(conn));
		act = PQexec(other, sql);
		if (PQresultStatus(act) == PGRES_TUPLES_OK && PQntuples(act) == 1)
			printf("activity: %s\n", PQgetvalue(act, 0, 0));
		else
			printf("activity: (none)\n");
		PQclear(act);
		PQfinish(other);
	}
	i = PQresultStatus(res) == PGRES_TUPLES_OK ||
		PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : 1;
	PQclear(res);
	PQfinish(conn);
	return i;
}
