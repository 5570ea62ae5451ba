# secant_pre - PGXS build.  `make test` and `make demo` are the two commands
# the README gives; both set up what they need (see test/cluster.sh).

EXTENSION = secant_pre
EXTVERSION = 0.6.0
MODULE_big = secant_pre
include src/core/core.mk
.DEFAULT_GOAL := all
# the PostgreSQL glue (src/pg/): every .c there is part of the module
GLUE_OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/pg/*.c)))
OBJS = $(GLUE_OBJS) $(CORE_OBJS)

# schema/ holds the extension's SQL: schema/secant_pre.sql is the whole
# current schema, and the install script of this version is built from it;
# schema/secant_pre--A--B.sql are frozen upgrade deltas and
# schema/secant_pre--0.1.0.sql is the frozen base of the upgrade chain (the
# first release).  sql/ and expected/ are pg_regress's pair only.
DATA_built = schema/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard schema/$(EXTENSION)--*.sql))
REGRESS = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=.
ISOLATION = revoke_race rotate_race
ISOLATION_OPTS = --inputdir=.
PG_CPPFLAGS = -Isrc/pg -Isrc/core
SHLIB_LINK += $(CORE_LIBS)
EXTRA_CLEAN = secant-pre build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---- libsecant-pre: the core as a shared library (src/lib/) ----
# One public header, build/lib/secant_pre.h, generated from the public
# core headers and src/lib/sp_lib.h; only the functions it declares are
# exported (a version script made from it); soname libsecant-pre.so.0.
# The extension keeps linking the core statically (OBJS above).
LIB_SONAME = libsecant-pre.so.0
LIB_REAL = libsecant-pre.so.$(EXTVERSION)
LIB_DIR = build/lib
LIB_SRCS = $(CORE_SRCS) src/lib/sp_lib.c
LIB_OBJS = $(patsubst src/%.c,$(LIB_DIR)/obj/%.o,$(LIB_SRCS))
LIB_PUBLIC_HEADERS = src/core/sp_core.h src/core/sp_codec.h src/core/sp_random.h \
	src/core/sp_text.h src/core/sp_cache.h src/core/sp_envelope.h \
	src/core/sp_seal.h src/core/sp_keyfile.h src/lib/sp_lib.h
LIB_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -fPIC -Isrc/core -Isrc/lib \
	-DSECANT_PRE_VERSION='"$(EXTVERSION)"'

# Where make install puts the library, its header, secant-pre.pc and the
# Python package (its own prefix: the extension goes where pg_config says).
LIBPREFIX ?= /usr/local
LIB_LIBDIR = $(LIBPREFIX)/lib
LIB_INCLUDEDIR = $(LIBPREFIX)/include
LIB_PKGCONFIGDIR = $(LIB_LIBDIR)/pkgconfig
PYTHON3 ?= /usr/bin/python3
PYTHONDIR ?= $(LIBPREFIX)/lib/python$(shell $(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)/dist-packages

lib: $(LIB_DIR)/$(LIB_REAL) $(LIB_DIR)/secant_pre.h

$(LIB_DIR)/secant_pre.h: src/lib/mkheader.sh src/lib/secant_pre.h.in $(LIB_PUBLIC_HEADERS)
	@mkdir -p $(LIB_DIR)
	sh src/lib/mkheader.sh $(EXTVERSION) src/lib/secant_pre.h.in $(LIB_PUBLIC_HEADERS) >$@.tmp && mv $@.tmp $@

# the exported names: every function the header declares (gcc -aux-info)
$(LIB_DIR)/secant-pre.sym: $(LIB_DIR)/secant_pre.h
	echo '#include "secant_pre.h"' >$(LIB_DIR)/sym.c
	$(CC) -I$(LIB_DIR) -fsyntax-only -aux-info $(LIB_DIR)/sym.aux $(LIB_DIR)/sym.c
	sed -n 's|^/\* $(LIB_DIR)/secant_pre.h:.*\*/ .*[ *]\(sp_[a-z0-9_]*\) (.*|\1|p' $(LIB_DIR)/sym.aux | sort -u >$@.tmp && mv $@.tmp $@

$(LIB_DIR)/secant-pre.map: $(LIB_DIR)/secant-pre.sym
	{ echo 'SECANT_PRE_0 {'; echo '  global:'; sed 's/.*/    &;/' $<; echo '  local: *;'; echo '};'; } >$@

$(LIB_DIR)/obj/%.o: src/%.c src/core/*.h src/lib/*.h
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_DIR)/$(LIB_REAL): $(LIB_OBJS) $(LIB_DIR)/secant-pre.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=$(LIB_DIR)/secant-pre.map \
		-Wl,-z,relro -Wl,-z,now -o $@ $(LIB_OBJS) $(CORE_LIBS)
	ln -sfn $(LIB_REAL) $(LIB_DIR)/$(LIB_SONAME)
	ln -sfn $(LIB_SONAME) $(LIB_DIR)/libsecant-pre.so

# ---- the client-side CLI: links libsecant-pre, never the server ----
# In the tree it finds the library by $ORIGIN/build/lib; make install
# links it again with the installed library's directory as its rpath.
CLI_SRCS = src/cli/secant-pre.c
CLI_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -Isrc/core \
	-DSECANT_PRE_VERSION='"$(EXTVERSION)"'
CLI_LDLIBS = -L$(LIB_DIR) -lsecant-pre -lsodium

all: secant-pre lib

$(DATA_built): schema/$(EXTENSION).sql
	cp $< $@

secant-pre: $(CLI_SRCS) src/core/*.h $(LIB_DIR)/$(LIB_REAL)
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) -Wl,-rpath,'$$ORIGIN/$(LIB_DIR)' $(CLI_LDLIBS)

install: install-cli install-lib install-python

# The CLI goes into pg_config --bindir (not on PATH on Debian) and a
# symlink to it into CLI_LINKDIR, which is; skipped with a message when
# CLI_LINKDIR is not writable or holds a secant-pre that is not a symlink.
CLI_LINKDIR ?= /usr/local/bin

install-cli: secant-pre lib
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(CC) $(CLI_CFLAGS) -o $(LIB_DIR)/secant-pre.installed $(CLI_SRCS) \
		-Wl,-rpath,'$(LIB_LIBDIR)' $(CLI_LDLIBS)
	$(INSTALL_PROGRAM) $(LIB_DIR)/secant-pre.installed '$(DESTDIR)$(bindir)/secant-pre'
	@link='$(DESTDIR)$(CLI_LINKDIR)/secant-pre'; \
	if [ -e "$$link" ] && [ ! -L "$$link" ]; then \
		echo "install-cli: $$link exists and is not a symlink; left alone (the CLI is $(bindir)/secant-pre)"; \
	elif mkdir -p '$(DESTDIR)$(CLI_LINKDIR)' 2>/dev/null && [ -w '$(DESTDIR)$(CLI_LINKDIR)' ] && \
		ln -sfn '$(bindir)/secant-pre' "$$link" 2>/dev/null; then \
		echo "install-cli: $$link -> $(bindir)/secant-pre"; \
	else \
		echo "install-cli: cannot write $(DESTDIR)$(CLI_LINKDIR); no symlink (the CLI is $(bindir)/secant-pre)"; \
	fi

# The library into $(LIBPREFIX)/lib (then ldconfig, when it is the
# default /usr/local, which the dynamic linker searches), its header and
# secant-pre.pc (whose Libs carry an rpath, so a program built with
# pkg-config finds the library under any LIBPREFIX).
install-lib: lib
	$(MKDIR_P) '$(DESTDIR)$(LIB_LIBDIR)' '$(DESTDIR)$(LIB_INCLUDEDIR)' '$(DESTDIR)$(LIB_PKGCONFIGDIR)'
	$(INSTALL_SHLIB) $(LIB_DIR)/$(LIB_REAL) '$(DESTDIR)$(LIB_LIBDIR)/$(LIB_REAL)'
	ln -sfn $(LIB_REAL) '$(DESTDIR)$(LIB_LIBDIR)/$(LIB_SONAME)'
	ln -sfn $(LIB_SONAME) '$(DESTDIR)$(LIB_LIBDIR)/libsecant-pre.so'
	$(INSTALL_DATA) $(LIB_DIR)/secant_pre.h '$(DESTDIR)$(LIB_INCLUDEDIR)/secant_pre.h'
	sed -e 's|@PREFIX@|$(LIBPREFIX)|' -e 's|@VERSION@|$(EXTVERSION)|' src/lib/secant-pre.pc.in \
		>'$(DESTDIR)$(LIB_PKGCONFIGDIR)/secant-pre.pc'
	@if [ -z '$(DESTDIR)' ] && [ '$(LIBPREFIX)' = /usr/local ] && command -v ldconfig >/dev/null && [ -w /etc/ld.so.cache ]; then \
		ldconfig; echo "install-lib: ldconfig"; fi

# The Python package into PYTHONDIR (on /usr/bin/python3's path for the
# default /usr/local), told where the library is (secant_pre/_where.py).
install-python:
	$(MKDIR_P) '$(DESTDIR)$(PYTHONDIR)/secant_pre'
	$(INSTALL_DATA) python/secant_pre/*.py python/secant_pre/py.typed '$(DESTDIR)$(PYTHONDIR)/secant_pre/'
	echo 'LIBRARY = "$(LIB_LIBDIR)/$(LIB_SONAME)"' >'$(DESTDIR)$(PYTHONDIR)/secant_pre/_where.py'

# ---- the README's two commands and the other entry points ----
.PHONY: test test-matrix demo bench test-scaleout soak fuzz unitcheck install-cli install-lib install-python lib

test:
	bash test/cluster.sh test

demo:
	bash test/cluster.sh demo

bench:
	bash test/cluster.sh bench

# the SQL regression/isolation tests and the attacker suite on other
# PostgreSQL majors, each in a cached Debian root (test/matrix/run.sh; root)
PG ?= 17 18
test-matrix:
	bash test/matrix/run.sh $(PG)

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
