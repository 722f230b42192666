#!/bin/sh
# SIMULATION for the rackplay lab: makes a stand-in for xen-3.0.4_1-src.tgz, which cannot be
# fetched (no internet) nor built here. It unpacks to xen-3.0.4_1-src/ with a Makefile whose
# `world` checks the howto's build dependencies with rpm -q (failing like a build without
# gcc would), prints build progress for a few seconds and fills dist/; `install` puts what
# Xen 3.0.4's install puts where the howto needs it: /boot/xen-3.0.gz, the 2.6.16.33-xen
# kernel and modules, /usr/lib/xen/boot/hvmloader, xm and xend, the xend and xendomains init
# scripts, /etc/xen. tools/ has its own Makefile that (re)installs hvmloader.
# Every file it installs says SIMULATION; nothing in it runs a hypervisor.
#
# usage: make-xen-tarball.sh OUTDIR   -> OUTDIR/xen-3.0.4_1-src.tgz
set -e
out=${1:?usage: make-xen-tarball.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T=$work/xen-3.0.4_1-src
mkdir -p "$T/sim" "$T/tools/firmware/hvmloader" "$T/tools/misc"
cp "$here/xen/xm" "$here/xen/xend" "$T/tools/misc/"
cp "$here/xen/xend.init" "$here/xen/xendomains.init" "$here/xen/xmexample.hvm" "$here/xen/xmexample1" "$T/sim/"
cat > "$T/README" <<'EOF'
SIMULATION for the rackplay lab: a stand-in for the Xen 3.0.4-1 source release.
`make world` then `make install` (as root) installs the simulated hypervisor, dom0 kernel
2.6.16.33-xen and tools; `make -C tools && make -C tools install` reinstalls hvmloader.
EOF
cat > "$T/sim/xend-config.sxp" <<'EOF'
# -*- sh -*-
# SIMULATION for the rackplay lab: Xen 3.0.4's xend configuration (defaults).
(xend-relocation-server no)
(network-script network-bridge)
(vif-script vif-bridge)
(dom0-min-mem 256)
(dom0-cpus 0)
(vncpasswd '')
EOF
cat > "$T/sim/check-deps.sh" <<'EOF'
#!/bin/sh
# SIMULATION for the rackplay lab: a real Xen 3.0.4 build stops at the first tool or header it
# lacks; this stops the same way when a build dependency of the howto is not installed.
for p in gcc openssl-devel ncurses-devel python-devel xorg-x11-devel; do
  if ! rpm -q $p >/dev/null 2>&1; then
    case $p in
      gcc) echo "make[2]: gcc: Command not found"; echo "make[2]: *** [common/kernel.o] Error 127" ;;
      openssl-devel) echo "vtpm_manager/crypto/sym_crypto.h:43:25: openssl/evp.h: No such file or directory" ;;
      ncurses-devel) echo "xentop.c:31:20: curses.h: No such file or directory" ;;
      python-devel) echo "xen/lowlevel/xc/xc.c:7:20: Python.h: No such file or directory"; echo "error: command 'gcc' failed with exit status 1" ;;
      xorg-x11-devel) echo "ioemu: X11/Xlib.h: No such file or directory" ;;
    esac
    echo "make[1]: *** [$p-needed] Error 1" 
    exit 2
  fi
done
EOF
chmod +x "$T/sim/check-deps.sh"
# Makefiles: "> " at a line start becomes the recipe tab.
sed 's/^> /	/' > "$T/Makefile" <<'EOF'
# SIMULATION for the rackplay lab: the top-level Makefile of the stand-in xen-3.0.4_1-src.
XEN_VERSION = 3.0.4-1
KVER = 2.6.16.33-xen
D = dist/install

.PHONY: world dist install install-xen install-kernels install-tools clean

world: dist

dist: $(D)/.built

$(D)/.built:
> @echo "make -C xen install"
> @sh sim/check-deps.sh
> @echo "make[1]: Entering directory \`$(CURDIR)/xen'"
> @echo "  CC      common/kernel.o"; sleep 1
> @echo "  CC      arch/x86/hvm/vmx/vmx.o"
> @echo "  LD      xen-syms"; sleep 1
> @mkdir -p $(D)/boot $(D)/lib/modules/$(KVER)/kernel/drivers/xen $(D)/usr/lib/xen/boot $(D)/usr/sbin $(D)/etc/init.d $(D)/etc/xen/auto
> @echo "SIMULATION for the rackplay lab: Xen $(XEN_VERSION) hypervisor" | gzip -9 > $(D)/boot/xen-$(XEN_VERSION).gz
> @echo "make[1]: Leaving directory \`$(CURDIR)/xen'"
> @echo "make -C tools install"
> @$(MAKE) --no-print-directory -C tools all
> @echo "make linux-2.6-xen0-install"
> @echo "  CC      arch/x86_64/kernel/setup.o"; sleep 1
> @echo "SIMULATION for the rackplay lab: dom0 kernel $(KVER)" > $(D)/boot/vmlinuz-$(KVER)
> @: > $(D)/boot/System.map-$(KVER)
> @echo "# SIMULATION: kernel config $(KVER)" > $(D)/boot/config-$(KVER)
> @echo "SIMULATION netback" > $(D)/lib/modules/$(KVER)/kernel/drivers/xen/netbk.ko
> @echo "SIMULATION blkback" > $(D)/lib/modules/$(KVER)/kernel/drivers/xen/blkbk.ko
> @cp tools/misc/xm tools/misc/xend $(D)/usr/sbin/
> @cp tools/firmware/hvmloader/hvmloader $(D)/usr/lib/xen/boot/hvmloader
> @cp sim/xend.init $(D)/etc/init.d/xend
> @cp sim/xendomains.init $(D)/etc/init.d/xendomains
> @cp sim/xend-config.sxp sim/xmexample.hvm sim/xmexample1 $(D)/etc/xen/
> @touch $@
> @echo "Build of Xen $(XEN_VERSION) complete (SIMULATION)"

install: install-xen install-kernels install-tools
> @echo "Installation of Xen $(XEN_VERSION) complete (SIMULATION)"

install-xen: dist
> install -d /boot
> install -m0644 $(D)/boot/xen-$(XEN_VERSION).gz /boot/xen-$(XEN_VERSION).gz
> ln -sf xen-$(XEN_VERSION).gz /boot/xen-3.0.gz
> ln -sf xen-$(XEN_VERSION).gz /boot/xen-3.gz
> ln -sf xen-$(XEN_VERSION).gz /boot/xen.gz

install-kernels: dist
> install -m0644 $(D)/boot/vmlinuz-$(KVER) $(D)/boot/System.map-$(KVER) $(D)/boot/config-$(KVER) /boot/
> mkdir -p /lib/modules/$(KVER)
> cp -R $(D)/lib/modules/$(KVER)/. /lib/modules/$(KVER)/

install-tools: dist
> install -d /usr/lib/xen/boot /usr/sbin /etc/xen/auto /etc/xen/scripts
> install -m0755 $(D)/usr/sbin/xm $(D)/usr/sbin/xend /usr/sbin/
> install -m0644 $(D)/usr/lib/xen/boot/hvmloader /usr/lib/xen/boot/hvmloader
> install -m0755 $(D)/etc/init.d/xend $(D)/etc/init.d/xendomains /etc/init.d/
> for f in xend-config.sxp xmexample.hvm xmexample1; do [ -f /etc/xen/$$f ] || install -m0644 $(D)/etc/xen/$$f /etc/xen/$$f; done

clean:
> rm -rf dist tools/firmware/hvmloader/hvmloader
EOF
sed 's/^> /	/' > "$T/tools/Makefile" <<'EOF'
# SIMULATION for the rackplay lab: tools/Makefile of the stand-in xen-3.0.4_1-src; `make` builds
# hvmloader, `make install` puts it in /usr/lib/xen/boot (the howto's fix when it is missing).
.PHONY: all install clean
all: firmware/hvmloader/hvmloader

firmware/hvmloader/hvmloader:
> @echo "make[2]: Entering directory \`$(CURDIR)/firmware'"
> @echo "  CC      hvmloader.o"
> @echo "SIMULATION for the rackplay lab: HVM firmware loader (Xen 3.0.4)" > $@
> @echo "make[2]: Leaving directory \`$(CURDIR)/firmware'"

install: all
> install -d /usr/lib/xen/boot
> install -m0644 firmware/hvmloader/hvmloader /usr/lib/xen/boot/hvmloader

clean:
> rm -f firmware/hvmloader/hvmloader
EOF
mkdir -p "$out"
tar -C "$work" -czf "$out/xen-3.0.4_1-src.tgz" xen-3.0.4_1-src
echo "$out/xen-3.0.4_1-src.tgz"
