# secant_pre - PGXS build.  `make test` and `make demo` are the two commands
# the README gives; both set up what they need (see test/cluster.sh).

EXTENSION = secant_pre
EXTVERSION = 0.3.0
MODULE_big = secant_pre
OBJS = src/secant_pre.o src/sp_core.o src/sp_codec.o src/sp_random.o \
	src/sp_text.o src/sp_error.o src/typeio.o src/seckey.o src/pubkey.o \
	src/grant.o src/ciphertext.o src/reencrypt.o src/token.o src/path.o \
	src/audit.o src/definer.o src/share.o
DATA = $(wildcard sql/secant_pre--*.sql)
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/secant_pre--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.
ISOLATION = revoke_race
ISOLATION_OPTS = --inputdir=.
PG_CPPFLAGS = -Isrc
SHLIB_LINK += -lsodium -lutf8proc
EXTRA_CLEAN = secant-pre build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---- the client-side CLI: links core + codec, never the server ----
CLI_SRCS = src/cli/secant_pre.c src/sp_core.c src/sp_codec.c src/sp_random.c src/sp_text.c
CLI_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -Isrc

all: secant-pre

secant-pre: $(CLI_SRCS) src/*.h
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) -lsodium -lutf8proc

install: install-cli

install-cli: secant-pre
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) secant-pre '$(DESTDIR)$(bindir)/secant-pre'

# ---- the README's two commands and the other entry points ----
.PHONY: test demo bench test-scaleout soak fuzz unitcheck install-cli

test:
	bash test/cluster.sh test

demo:
	bash test/cluster.sh demo

bench:
	bash test/cluster.sh bench

# coordinator + two shards through postgres_fdw (also part of make test)
test-scaleout:
	bash test/cluster.sh scaleout

# libFuzzer harnesses of every parser, 60 s each (FUZZ_SECONDS)
fuzz:
	bash test/fuzz/run.sh $${FUZZ_SECONDS:-60}

# pgbench soak of shares, reads, revocations and re-grants (own cluster)
soak:
	bash test/cluster.sh soak

# C unit tests of the core (plain, ASan/UBSan, valgrind); no server needed
unitcheck:
	bash test/unit/run.sh
