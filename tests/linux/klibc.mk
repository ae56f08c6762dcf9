# tests/linux/klibc.mk: a real user space for the reference Linux, from
# Debian's registry: klibc-utils:i386 and libklibc:i386 (a dash-derived sh,
# cat, ls, mkdir, mount, poweroff...; Debian's static busybox wants a
# kernel >= 3.2).  Downloaded (apt-get download, through multiarch: root
# adds the i386 architecture once), unpacked with dpkg-deb, and packed with
# tests/linux/klibc-init.sh as /init into a newc cpio.
#   make run-linux-shell   that user space on the hypervisor, a shell on the console

KLIBC_DIR  := $(BUILD)/tests/linux/klibc
KLIBC_CPIO := $(BUILD)/tests/linux/klibc.cpio
KLIBC_DEBS := klibc-utils:i386 libklibc:i386

# The two packages' files, fetched once (a message says what is missing).
$(KLIBC_DIR)/.fetched: | $(DEPS_STAMP)
	$(call say,FETCH,"$(KLIBC_DEBS)")
	$(Q)rm -rf $(KLIBC_DIR) && mkdir -p $(KLIBC_DIR)/debs $(KLIBC_DIR)/root
	$(Q)if ! dpkg --print-foreign-architectures | grep -qx i386; then \
	  if [ "$$(id -u)" = 0 ]; then dpkg --add-architecture i386 && apt-get update -qq; \
	  else echo "klibc: run as root: dpkg --add-architecture i386 && apt-get update" >&2; exit 1; fi; \
	fi
	$(Q)cd $(KLIBC_DIR)/debs && apt-get download $(KLIBC_DEBS) > /dev/null 2>&1 || \
	  { echo "klibc: apt-get download $(KLIBC_DEBS) failed" >&2; exit 1; }
	$(Q)for d in $(KLIBC_DIR)/debs/*.deb; do dpkg-deb -x $$d $(KLIBC_DIR)/root; done
	$(Q)touch $@

# /init (the script), /bin (klibc's programs), /lib (its shared library).
$(KLIBC_CPIO): $(KLIBC_DIR)/.fetched tests/linux/klibc-init.sh
	$(call say,CPIO,$@)
	$(Q)rm -rf $@.d && mkdir -p $@.d/bin $@.d/lib
	$(Q)cp $(KLIBC_DIR)/root/usr/lib/klibc/bin/* $@.d/bin/
	$(Q)cp $(KLIBC_DIR)/root/lib/klibc-*.so $@.d/lib/
	$(Q)cp tests/linux/klibc-init.sh $@.d/init && chmod 755 $@.d/init
	$(Q)cd $@.d && find . | cpio -o -H newc --quiet > ../$(@F)
	$(Q)rm -rf $@.d

TEST_DEPS += $(KLIBC_CPIO)
test: $(KLIBC_CPIO)

.PHONY: run-linux-shell
run-linux-shell: $(KLIBC_CPIO)
	$(Q)$(MAKE) --no-print-directory run-linux INITRD=$(KLIBC_CPIO) APPEND="console=ttyS0 shell"
