# teestore TA dev kit: builds an unmodified OP-TEE TA source tree into
# $(O)/$(BINARY).ta, a shared object that teestore-ta-host loads.
#
# The TA's Makefile (run in the TA's directory):
#   CFG_TEE_TA_LOG_LEVEL ?= 4
#   BINARY = <uuid>
#   -include $(TA_DEV_KIT_DIR)/mk/ta_dev_kit.mk
# and a sub.mk per directory: srcs-y, global-incdirs-y, incdirs-y,
# cflags-y, cppflags-y, cflags-<file>-y, subdirs-y; libnames/libdirs for
# extra libraries. Output directory: O (default: the TA's directory).
# See docs/ta-devkit.md.

ifeq ($(BINARY),)
$(error BINARY (the TA's UUID) must be set before including ta_dev_kit.mk)
endif

ta-dev-kit-dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)

O ?= .
CFG_TEE_TA_LOG_LEVEL ?= 2
# TAs run on this machine: a cross compiler prefix would build a TA the
# host cannot load, so CROSS_COMPILE is ignored unless TA_CC is set.
TA_CC ?= $(CC)

.PHONY: all clean
all: $(O)/$(BINARY).ta

ta-srcs :=
ta-incdirs := .
ta-cflags :=
ta-cppflags :=

# Reads <dir>/sub.mk, collects what it declares, then its subdirs-y.
define ta-process-subdir
srcs-y :=
global-incdirs-y :=
incdirs-y :=
cflags-y :=
cppflags-y :=
subdirs-y :=
include $1/sub.mk
ta-srcs += $$(patsubst ./%,%,$$(addprefix $1/,$$(srcs-y)))
ta-incdirs += $$(patsubst ./%,%,$$(addprefix $1/,$$(global-incdirs-y) $$(incdirs-y)))
ta-cflags += $$(cflags-y)
ta-cppflags += $$(cppflags-y)
$$(foreach f,$$(srcs-y),$$(eval ta-cflags-$$(patsubst ./%,%,$1/$$(f)) := $$(cflags-$$(f)-y)))
ta-subdirs-$1 := $$(addprefix $1/,$$(subdirs-y))
$$(foreach d,$$(ta-subdirs-$1),$$(eval $$(call ta-process-subdir,$$(d))))
endef
$(eval $(call ta-process-subdir,.))

ta-obj-dir := $(if $(filter .,$(O)),,$(O)/)
ta-objs := $(patsubst %.c,$(ta-obj-dir)%.o,$(filter %.c,$(ta-srcs)))
ta-hdr-obj := $(ta-obj-dir)user_ta_header.o $(ta-obj-dir)ta_libc_heap.o

TA_CFLAGS := -std=gnu11 -O2 -g -fPIC -Wall \
	-DTRACE_LEVEL=$(CFG_TEE_TA_LOG_LEVEL) \
	$(addprefix -I,$(ta-incdirs)) -I$(ta-dev-kit-dir)/include \
	$(ta-cppflags) $(ta-cflags)
TA_LDFLAGS := -shared -Wl,-Bsymbolic \
	$(addprefix -L,$(libdirs)) $(addprefix -l,$(libnames))

$(ta-obj-dir)%.o: %.c
	@mkdir -p $(dir $@)
	$(TA_CC) $(TA_CFLAGS) $(ta-cflags-$<) -MMD -MP -c $< -o $@

$(ta-obj-dir)user_ta_header.o: $(ta-dev-kit-dir)/src/user_ta_header.c
	@mkdir -p $(dir $@)
	$(TA_CC) $(TA_CFLAGS) -MMD -MP -c $< -o $@

# The TA's malloc family on the TA heap, as OP-TEE's libutils.
$(ta-obj-dir)ta_libc_heap.o: $(ta-dev-kit-dir)/src/ta_libc_heap.c
	@mkdir -p $(dir $@)
	$(TA_CC) $(TA_CFLAGS) -MMD -MP -c $< -o $@

$(O)/$(BINARY).ta: $(ta-objs) $(ta-hdr-obj)
	$(TA_CC) -o $@ $^ $(TA_LDFLAGS) $(LDFLAGS)

clean:
	rm -f $(ta-objs) $(ta-objs:.o=.d) $(ta-hdr-obj) $(ta-hdr-obj:.o=.d) \
		$(O)/$(BINARY).ta

-include $(ta-objs:.o=.d) $(ta-hdr-obj:.o=.d)
