# src/core/core.mk - the one list of the pure C core (scheme, codec, text
# normalisation, randomness, envelopes, key files, the caches of sp_cache.h,
# sealed grants, threshold grants).  Included by the Makefile; the test, fuzz, constant-time
# and bench scripts read it with
#   make -s --no-print-directory -f src/core/core.mk print-core-srcs
# The core links libsodium and libutf8proc only.

CORE_SRCS = src/core/sp_core.c src/core/sp_codec.c src/core/sp_random.c \
	src/core/sp_text.c src/core/sp_envelope.c \
	src/core/sp_keyfile.c src/core/sp_cache.c src/core/sp_seal.c \
	src/core/sp_threshold.c
CORE_OBJS = $(CORE_SRCS:.c=.o)
CORE_LIBS = -lsodium -lutf8proc

print-core-srcs:
	@echo $(CORE_SRCS)

.PHONY: print-core-srcs
