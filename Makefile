# SPDX-License-Identifier: MIT
# husk: non-recursive build; everything goes under build/.
#   make          build/husk
#   make demo     install what is missing, build, run a program inside husk
#   make check    install what is missing, build, run every test under prove
#   make bench    husk beside native, ratios printed (never part of check)
#   make asan     build/asan/husk with AddressSanitizer and UBSan
#   make docs     docs/syscalls.md from kernel/syscall/syscalls.def
# V=1 shows full commands; WERROR=1 (CI) makes warnings errors.

B ?= build
CC ?= gcc
MUSL_CC ?= musl-gcc
Q = $(if $(V),,@)

WARN = -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wwrite-strings \
       -Wmissing-prototypes $(if $(WERROR),-Werror,)
CFLAGS ?= -O2 -g
HUSK_CFLAGS = -std=gnu11 $(WARN) -MMD -MP -mfsgsbase -fvisibility=hidden \
              -fno-strict-aliasing -Iinclude -I. -Ikernel
HUSK_LDFLAGS = -static-pie
HUSK_LIBS = -lext2fs -lcom_err -ljansson

SRCS := $(wildcard cli/*.c tender/*.c loader/*.c host/*.c host/*.S \
          kernel/*.c kernel/*/*.c kernel/*/*/*.c kernel/arch/x86_64/*.S)

all: $(B)/husk

# --- lwIP, from Debian's source package (scripts/lwip-source.sh), built
# with husk's options (kernel/net/lwip/lwipopts.h); one tree for every build
LWIP_DIR ?= build/lwip
LWIP_STAMP := $(LWIP_DIR)/src/core/init.c
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c \
  core/memp.c core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c \
  core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c \
  core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4_frag.c core/ipv4/ip4.c \
  core/ipv4/ip4_addr.c core/ipv6/ethip6.c core/ipv6/icmp6.c \
  core/ipv6/inet6.c core/ipv6/ip6.c core/ipv6/ip6_addr.c \
  core/ipv6/ip6_frag.c core/ipv6/mld6.c core/ipv6/nd6.c netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(B)/obj/lwip/%.o,$(LWIP_FILES))
LWIP_INC := -I$(LWIP_DIR)/src/include -Ikernel/net/lwip

$(LWIP_STAMP):
	$(Q)scripts/lwip-source.sh $(LWIP_DIR)

# lwIP's own code: its warnings are not ours to fix
$(B)/obj/lwip/%.o: $(LWIP_DIR)/src/%.c kernel/net/lwip/lwipopts.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      lwip/$*.c")
	$(Q)$(CC) -std=gnu11 -w -MMD -MP -fvisibility=hidden -fno-strict-aliasing \
	  $(LWIP_INC) $(CFLAGS) -fPIE -c $< -o $@

$(B)/obj/kernel/net/%.o: HUSK_CFLAGS += $(LWIP_INC)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HUSK_CFLAGS) $(CFLAGS) -fPIE -c $< -o $@

$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(HUSK_CFLAGS) $(filter -D%,$(CFLAGS)) -Ikernel/arch/x86_64 -fPIE -c $< -o $@

OBJS := $(patsubst %,$(B)/obj/%.o,$(basename $(SRCS))) $(LWIP_OBJS)
$(filter $(B)/obj/kernel/net/%,$(OBJS)): | $(LWIP_STAMP)

$(B)/husk: $(OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HUSK_LDFLAGS) -o $@ $(OBJS) $(HUSK_LIBS)
	$(Q)ln -sf husk $(dir $@)husk-runc

# --- AddressSanitizer build of the same sources (a dynamic PIE) ---
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
asan:
	$(MAKE) B=$(B)/asan CFLAGS="$(ASAN_FLAGS) -DHUSK_SUD_SELECTOR" \
	  HUSK_LDFLAGS="-pie -fsanitize=address,undefined" $(B)/asan/husk

# --- unit tests: kernel pieces against a fake host, under ASan and UBSan ---
UNIT_CFLAGS = -std=gnu11 -O1 -g -fsanitize=address,undefined \
              -fno-omit-frame-pointer $(WARN) -Iinclude -I. -Ikernel
$(B)/tests/unit/mm_test: tests/unit/mm_test.c kernel/mm/mm.c kernel/lib/kheap.c \
                         kernel/lib/kprintf.c $(wildcard kernel/mm/*.h kernel/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^)
$(B)/tests/unit/crc_test: tests/unit/crc_test.c kernel/fs/ext4_crc.c kernel/fs/ext4.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^)
$(B)/tests/unit/config_test: tests/unit/config_test.c cli/config.c cli/cli.h \
                             include/husk/config.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^) -ljansson
UNITS := $(B)/tests/unit/mm_test $(B)/tests/unit/crc_test \
         $(B)/tests/unit/config_test
unit: $(UNITS)

# --- guest test programs: static glibc, static musl, static-pie glibc,
# dynamic glibc (run from an image holding its libraries) ---
GUEST_SRCS := $(wildcard tests/guest/*/*.c)
GUEST_CFLAGS = -std=gnu11 -O2 -Wall -Wextra -Itests/lib
GUEST_GLIBC := $(patsubst tests/guest/%.c,$(B)/tests/guest/glibc/%,$(GUEST_SRCS))
GUEST_MUSL := $(patsubst tests/guest/%.c,$(B)/tests/guest/musl/%,$(GUEST_SRCS))
GUEST_PIE := $(patsubst tests/guest/%.c,$(B)/tests/guest/glibc-pie/%,$(GUEST_SRCS))
GUEST_DYN := $(patsubst tests/guest/%.c,$(B)/tests/guest/glibc-dyn/%,$(GUEST_SRCS))
GUESTS := $(GUEST_GLIBC) $(GUEST_MUSL) $(GUEST_PIE) $(GUEST_DYN)

$(B)/tests/guest/glibc/%: tests/guest/%.c $(wildcard tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -static -o $@ $<
$(B)/tests/guest/musl/%: tests/guest/%.c $(wildcard tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(MUSL_CC) $(GUEST_CFLAGS) -static -o $@ $<
$(B)/tests/guest/glibc-pie/%: tests/guest/%.c $(wildcard tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -fPIE -static-pie -o $@ $<
$(B)/tests/guest/glibc-dyn/%: tests/guest/%.c $(wildcard tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -o $@ $<

# --- the escape suite's attacker, static glibc and static musl ---
ESCAPES := $(B)/tests/escape/glibc/escape $(B)/tests/escape/musl/escape
$(B)/tests/escape/glibc/escape: tests/escape/escape.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -static -o $@ $<
$(B)/tests/escape/musl/escape: tests/escape/escape.c
	@mkdir -p $(dir $@)
	$(Q)$(MUSL_CC) $(GUEST_CFLAGS) -static -o $@ $<

guests: $(GUESTS) $(ESCAPES)

# --- docs/syscalls.md, expanded from the one list ---
$(B)/gen_syscalls_md: scripts/gen_syscalls_md.c kernel/syscall/syscalls.def
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -Ikernel/syscall -o $@ $<
docs: $(B)/gen_syscalls_md
	$(Q)$(B)/gen_syscalls_md > docs/syscalls.md

deps:
	$(Q)scripts/deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all guests asan unit
	$(Q)$(MAKE) --no-print-directory format-check
	$(Q)scripts/check.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)HUSK=$(B)/husk BUILD_DIR=$(B) bench/run.sh
	$(Q)HUSK=$(B)/husk BUILD_DIR=$(B) bench/net.sh
	$(Q)HUSK=$(B)/husk BUILD_DIR=$(B) bench/oci.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null | grep -v errno_list.h)
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)
format:
	$(Q)clang-format -i $(FORMAT_FILES)

clean:
	rm -rf $(B)

.PHONY: all asan unit guests docs deps check demo bench format-check format clean
-include $(OBJS:.o=.d)
