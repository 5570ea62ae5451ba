# src/lib/lib.mk - libsecant-pre, the core as a shared library (src/lib/).
# Included by the Makefile after src/core/core.mk (CORE_SRCS, CORE_LIBS)
# and EXTVERSION.  One public header, build/lib/secant_pre.h, generated
# from the public core headers and src/lib/sp_lib.h; only the functions it
# declares are exported (a version script made from it); soname
# libsecant-pre.so.0.  The extension keeps linking the core statically.
# The fuzz script reads the header list with
#   make -s --no-print-directory -f src/lib/lib.mk print-lib-public-headers

LIB_SONAME = libsecant-pre.so.0
LIB_REAL = libsecant-pre.so.$(EXTVERSION)
LIB_DIR = build/lib
LIB_SRCS = $(CORE_SRCS) src/lib/sp_lib.c
LIB_OBJS = $(patsubst src/%.c,$(LIB_DIR)/obj/%.o,$(LIB_SRCS))
LIB_PUBLIC_HEADERS = src/core/sp_core.h src/core/sp_codec.h src/core/sp_random.h \
	src/core/sp_text.h src/core/sp_cache.h src/core/sp_envelope.h \
	src/core/sp_seal.h src/core/sp_keyfile.h src/core/sp_threshold.h \
	src/lib/sp_lib.h
LIB_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -fPIC -Isrc/core -Isrc/lib \
	-DSECANT_PRE_VERSION='"$(EXTVERSION)"'

# Where make install puts the library, its header and secant-pre.pc (its
# own prefix: the extension goes where pg_config says).
LIBPREFIX ?= /usr/local
LIB_LIBDIR = $(LIBPREFIX)/lib
LIB_INCLUDEDIR = $(LIBPREFIX)/include
LIB_PKGCONFIGDIR = $(LIB_LIBDIR)/pkgconfig

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

print-lib-public-headers:
	@echo $(LIB_PUBLIC_HEADERS)

.PHONY: lib install-lib print-lib-public-headers
