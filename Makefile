# SPDX-License-Identifier: MIT
#
# Xenolith. `make` builds the hypervisor image, `make run` boots it in
# QEMU, `make test` runs every test, `make iso` builds a GRUB ISO.
# `make CC=clang` builds with clang.

BUILD    := build
HV       := hypervisor
ARCH     := $(HV)/arch/x86_64
IMAGE    := $(BUILD)/xenolith
PYTHON   := /usr/bin/python3
QEMU     := qemu-system-x86_64
RUN_SMP  ?= 2
RUN_MEM  ?= 512M
RUN_ARGS ?= loglvl=all xenstored=dom0

# Flags a freestanding kernel needs, with either compiler (both print
# their own header directory, stdint.h and stdarg.h, for -print-file-name).
HV_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-avx -fpie \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-optimize-sibling-calls -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-strict-aliasing \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wvla \
	-I$(HV)/include -I$(ARCH)/include -I$(BUILD)/include \
	-D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ \
	-include $(HV)/include/xenolith/visibility.h -MMD -MP
HV_ASFLAGS := -D__ASSEMBLY__ -I$(HV)/include -I$(ARCH)/include -I$(BUILD)/include -MMD -MP
HV_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

HV_SRCS := $(filter-out $(ARCH)/xen.lds.S,$(wildcard $(HV)/common/*.c $(HV)/lib/*.c \
	$(ARCH)/*.c $(ARCH)/*.S $(ARCH)/boot/*.S $(ARCH)/pv/*.c $(ARCH)/pv/*.S))
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

.PHONY: all deps guest iso run test unit clang integration check clean bench
all: $(IMAGE)

deps:
	@tools/deps.sh

# Compiler and flags are part of every object's inputs. The guest ABI is
# Xen's public headers from Debian's libxen-dev, reached as <xen/...>.
$(BUILD)/.cflags: FORCE
	@mkdir -p $(BUILD)/include
	@ln -sfn /usr/include/xen $(BUILD)/include/xen
	@echo '$(CC) $(HV_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(HV_CFLAGS)' > $@
FORCE:

$(BUILD)/%.c.o: %.c $(BUILD)/.cflags | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S $(BUILD)/.cflags | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/xen.lds: $(ARCH)/xen.lds.S
	@mkdir -p $(BUILD)
	$(CC) -E -P -D__ASSEMBLY__ -I$(ARCH)/include -x c $< -o $@

# Two link passes: the first finds the function addresses, the second
# carries them as the symbol table for backtraces. The table sits after
# all code, so the functions cannot move; the cmp proves it.
$(IMAGE): $(HV_OBJS) $(BUILD)/xen.lds tools/gensyms.py tools/check-image.py
	$(PYTHON) tools/gensyms.py < /dev/null > $(BUILD)/symtab0.S
	$(CC) -c $(BUILD)/symtab0.S -o $(BUILD)/symtab0.o
	$(LD) $(HV_LDFLAGS) -T $(BUILD)/xen.lds $(HV_OBJS) $(BUILD)/symtab0.o -o $@.0
	nm -n $@.0 | $(PYTHON) tools/gensyms.py > $(BUILD)/symtab1.S
	$(CC) -c $(BUILD)/symtab1.S -o $(BUILD)/symtab1.o
	$(LD) $(HV_LDFLAGS) -T $(BUILD)/xen.lds $(HV_OBJS) $(BUILD)/symtab1.o -o $@
	nm -n $@ | $(PYTHON) tools/gensyms.py | cmp -s - $(BUILD)/symtab1.S || \
		{ echo "symbol table moved functions between link passes"; exit 1; }
	$(PYTHON) tools/check-image.py $@

# The project's own PV guest kernel (guest/), built when its tree exists.
GUEST_DIR := $(wildcard guest)
guest: deps
	$(if $(GUEST_DIR),$(MAKE) -C guest BUILD=$(abspath $(BUILD))/guest)

iso: $(BUILD)/xenolith.iso
$(BUILD)/xenolith.iso: $(IMAGE) tools/mkiso.sh
	tools/mkiso.sh $(IMAGE) $@

# The demo: dom0 and three guests of the project's guest kernel at once,
# their console lines interleaved, through the launcher (which builds
# what is missing and ends with each domain's end and a verdict).
RUN_CFGS ?= examples/guest1.cfg examples/guest2.cfg examples/guest3.cfg
# dom0 runs the shell (xl, xenstored) with examples/files and the guest
# kernel in its boot ramdisk; without a terminal the launcher types
# "poweroff" once the guests have ended.
RUN_FILES := build/run-files
run: deps
	@$(MAKE) -s all guest
	@rm -rf $(RUN_FILES) && mkdir -p $(RUN_FILES)/boot && cp -r examples/files/. $(RUN_FILES)/ \
		&& cp build/guest/xenolith-guest $(RUN_FILES)/boot/
	@echo "Booting Xenolith in QEMU: dom0 (a shell: type 'help') and $(words $(RUN_CFGS))" \
		"guests (stop: 'poweroff' or Ctrl-C)"
	$(PYTHON) ./xenolith run --no-build --smp $(RUN_SMP) --memory $(RUN_MEM) \
		--append "$(RUN_ARGS)" --dom0 examples/dom0.cfg --files $(RUN_FILES) $(RUN_CFGS)

# Static checks and unit tests first (fast), then the clang build, then
# the QEMU boots.
test: deps
	$(MAKE) check
	$(MAKE) unit
	$(MAKE) clang
	$(MAKE) integration

unit: deps
	$(MAKE) -C tests/unit run

clang: deps
	$(MAKE) BUILD=$(BUILD)/clang CC=clang all

integration: deps $(IMAGE) guest
	$(PYTHON) -m pytest -q tests/integration

# Micro-benchmarks (docs/bench.md): the guest's "bench" suite on Xenolith
# and on real Xen 4.17, then Debian's Linux natively, as a Xenolith domU
# and as Xen's dom0, under QEMU with -icount (instructions per op).
# Prints figures, asserts nothing; not part of `make test`.
bench: deps $(IMAGE) guest
	$(PYTHON) tests/bench/run.py
	$(PYTHON) tests/bench/fairness.py
	$(PYTHON) tests/bench/linux.py
	$(PYTHON) tests/bench/toolstack.py

# Host tool build/host/xlcfg: checks xl.cfg files for people and for the
# launcher (./xenolith), with the hypervisor's own parser sources compiled
# for the host as the unit tests do (libc names renamed).
XLCFG_TOOL   := $(BUILD)/host/xlcfg
XLCFG_OBJS   := $(patsubst %,$(BUILD)/host/lib/%.o,xlcfg xlcfg_domain xlcfg_diag \
	xlcfg_support string)
XLCFG_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -I$(HV)/include -MMD -MP
all: $(XLCFG_TOOL)
$(BUILD)/host/lib/%.o: $(HV)/lib/%.c $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(XLCFG_CFLAGS) -fno-builtin -include tests/unit/include/host_renames.h -c $< -o $@
$(BUILD)/host/xlcfg.o: tools/xlcfg.c $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(XLCFG_CFLAGS) -c $< -o $@
$(XLCFG_TOOL): $(BUILD)/host/xlcfg.o $(XLCFG_OBJS)
	@$(CC) $^ -o $@
-include $(XLCFG_OBJS:.o=.d) $(BUILD)/host/xlcfg.d

# Formatting and static analysis. comparePointers is off: the code
# subtracts linker symbols (section bounds), which cppcheck cannot know.
check: deps
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	cppcheck -q --enable=warning,portability --error-exitcode=1 --inline-suppr \
		-I$(HV)/include -I$(ARCH)/include --suppress=missingIncludeSystem \
		--suppress=comparePointers $(HV)

clean:
	rm -rf $(BUILD)

-include $(HV_OBJS:.o=.d)
