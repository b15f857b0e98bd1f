# shellcheck shell=bash
# shellcheck disable=SC2154 # variables from scripts/sandbox, which sources this
# scripts/sandbox.d/vmx.bash: the VMX lane of scripts/sandbox, which sources
# this file once it has read the options and checked the tools; not a
# program of its own.  It uses from scripts/sandbox: here repo cache kver
# vmlinuz cpus mem timeout includes extra_modules busybox, and fail,
# write_atomic, cached_vmlinux, add_module (mod_order, mod_file), cpio_node.
#
# QEMU's TCG has no VMX, so this lane runs Debian's kernel in Bochs, whose
# Haswell model has VT-x with EPT, VPID and unrestricted guest.  Bochs has
# no 9p either: the sandbox's root is its initramfs, in two parts that the
# kernel unpacks one over the other:
#
#   build/sandbox/vmx-base-KVER.cpio   cached: /init (sandbox.d/vmx-init),
#       busybox, host programs and their libraries, the kernel modules
#       (kvm_intel and --module ones, with a depmod index)
#   per run                            the command script, the repository,
#       the --include paths, the libraries their ELF files need (those the
#       base lacks), /etc/ld.so.cache, the current directory
#
# Everything sits at its host path, so commands, scripts and binaries run
# as they do on the host (and as in the SVM lane).  Both parts and the
# kernel go on an ISO that ISOLINUX boots: mboot.c32 loads
# build/sandbox/vmx-kernel-KVER.elf, which is pvh-boot (sandbox.d/pvh-boot.c)
# and the uncompressed kernel in one file, and the initramfs; pvh-boot
# enters the kernel at its PVH entry point.  Booting the bzImage instead
# would cost about 55 s more per run, for the xz decompressor under Bochs.
#
# The console is COM1, written by Bochs to a file that is followed (tail -f)
# and filtered as in the SVM lane.  Bochs quirks handled here:
#   - Debian's build has no "nogui" display; "term" draws into a pty of its
#     own (it never touches ours) and needs TERM; its status-bar IPS counter
#     is hidden so that it never writes more than that pty buffers,
#   - it stops at its debugger prompt first: stdin gets "c" (continue), and
#     end of input makes the debugger quit if it ever comes back,
#   - SIGTERM does not stop it; SIGINT drops it into the debugger, which
#     then quits at the end of its input.  Hence timeout -s INT, -k 5,
#   - it has no "exit on reset": a reboot would boot the ISO again.  In
#     practice Bochs' BIOS triple-faults on the locked IA32_FEATURE_CONTROL
#     that the kernel leaves, and reset_on_triple_fault=0 makes that end
#     Bochs; the filter also stops it at "reboot: Restarting system", at a
#     second "pvh-boot: starting Linux" and at a panic's end marker.  A
#     panic (panic=-1 reboots at once) takes about as long as `true`.

# ---------------------------------------------------------------------------
# Settings.

# Haswell shows vmx, ept, vpid, unrestricted guest, shadow VMCS.  For
# experiments VIREO_VMX_CPU picks another Bochs model (bochs --help cpu):
# corei7_skylake_x works and adds PML and TSC scaling, but its CPUID claims
# a 3.5 GHz TSC, so the guest's clock runs 70 times too slow;
# corei7_icelake_u and tigerlake hang early in the kernel's boot.
vmx_cpu_model=${VIREO_VMX_CPU:-corei7_haswell_4770}
# Guest instructions per emulated second, for the emulated clocks (PIT,
# APIC, TSC: the guest sees a 50 MHz CPU).  Bochs executes about 30 million
# per second of wall time here, so a busy guest's clock runs at about 0.65x
# wall time; an idle one (HLT) runs far faster, since Bochs skips ahead to
# the next timer event (clock: sync=none): the guest's date runs ahead of
# the host's.  A boot with a small initramfs took 15.6 s at 50 M, 16.4 s at
# 100 M, 16.8 s at 30 M and 19.7 s at 4 M (more timer interrupts).
vmx_ips=50000000
# Modules every VMX sandbox has, for comparing with KVM.
vmx_modules=(kvm_intel)
# Kernel command line.  115200 baud: at the default 9600 the kernel's
# console spends a millisecond of busy waiting per character, and output
# trickles (1 KB per guest second).  cryptomgr.notests: the crypto
# self-tests take 12 s of a boot under Bochs.  nopti: page-table isolation
# (Bochs' Haswell has the Meltdown bug) costs 2 s of boot for its W+X check
# and a CR3 switch on every kernel entry; the VT-x code under test does not
# depend on it, and CPUs since 2019 do not need it.  no_timer_check as in
# the SVM lane.  panic=-1: see the quirks above.
vmx_cmdline="console=ttyS0,115200 loglevel=4 panic=-1 no_timer_check nopti cryptomgr.notests=1"

# Host programs in the base initramfs (found in PATH; missing ones are
# skipped, busybox covers most of them), and packages whose programs all go
# in.  Each comes with the libraries it needs.
vmx_programs=(
	bash dash sh env
	grep egrep fgrep sed awk find xargs cmp diff
	kmod insmod rmmod modprobe lsmod modinfo depmod
	dmesg mount umount setsid flock taskset lscpu nsenter unshare chrt
	prlimit ps pgrep pkill pidof free top uptime kill vmstat sysctl watch
	gzip gunzip zcat tar xz strace ldd
)
vmx_packages=(coreutils)

syslinux_bios=/usr/lib/syslinux/modules/bios
isolinux_bin=/usr/lib/ISOLINUX/isolinux.bin
bochs_bios=/usr/share/bochs/BIOS-bochs-latest
bochs_vgabios=/usr/share/vgabios/vgabios.bin

for f in "$isolinux_bin" "$syslinux_bios"/{ldlinux,libcom32,mboot}.c32 \
	"$bochs_bios" "$bochs_vgabios"; do
	[[ -r $f ]] || fail "$f missing (run scripts/deps: bochs, isolinux, syslinux-common)"
done

# Guest memory in MiB.  Bochs allocates at most 2048 MiB of host memory
# (larger guests page through it); the guest sees at most about 3 GiB, the
# rest of the first 4 GiB being the PCI hole.  Boots with 1024 and 2048 MiB
# take the same time, 4 GiB takes 7 s longer.
case $mem in
*[Gg]) vmx_mem=$(( ${mem%?} * 1024 )) ;;
*[Mm]) vmx_mem=${mem%?} ;;
*)     vmx_mem=$mem ;;
esac

# ---------------------------------------------------------------------------
# The bootable kernel: pvh-boot and the kernel's loadable segments in one
# 32-bit ELF file for mboot.c32 (see sandbox.d/pvh-boot.c).

cached_vmlinux
[[ -n $vmlinux ]] || fail "cannot get an ELF kernel with a PVH entry out of $vmlinuz (CONFIG_PVH?)"

kelf=$cache/vmx-kernel-$kver.elf

# Prints "LOAD END ENTRY" of the vmlinux $1: the lowest physical load
# address, the end of its memory image, the PVH entry (the Xen note of
# type 0x12, XEN_ELFNOTE_PHYS32_ENTRY, 8 little-endian bytes).
kernel_layout() {
	local load end entry
	read -r load end < <(LC_ALL=C readelf -lW "$1" | awk '
		$1 == "LOAD" { print $4, $6 }' | {
			lo=0 hi=0
			while read -r paddr memsz; do
				(( lo == 0 || paddr < lo )) && lo=$((paddr))
				(( paddr + memsz > hi )) && hi=$((paddr + memsz))
			done
			echo "$lo $hi"
		})
	entry=$(LC_ALL=C readelf -nW "$1" | awk '
		/^ *Xen / && /\(0x00000012\)/ {
			sub(/.*description data: */, "")
			v = ""
			for (i = NF; i >= 1; i--) v = v $i
			print v
			exit
		}')
	[[ -n $load && -n $end && $entry =~ ^[0-9a-f]{16}$ ]] || return 1
	printf '%d %d %d\n' "$load" "$end" "$((16#$entry))"
}

# Runs as "(build_kernel_elf) || fail": errexit does not apply there, so
# every step checks its own status.
build_kernel_elf() {
	local tmp load end entry
	tmp=$(mktemp -d "$cache/kelf.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now, not when the trap runs
	trap "rm -rf '$tmp'" EXIT
	read -r load end entry < <(kernel_layout "$vmlinux") ||
		{ echo "sandbox: no PVH entry note in $vmlinux" >&2; return 1; }
	# pvh-boot goes at 8 MiB, below the kernel (16 MiB on x86-64).
	(( load >= 0x900000 && entry > load && entry < end )) ||
		{ echo "sandbox: unexpected kernel layout $load $end $entry" >&2; return 1; }
	# The flat image ends with zeros: .bss, .brk and .init.scratch; the last
	# is a section with contents, so drop it to keep them out of the file
	# (mboot.c32 zero-fills the segment up to its memory size instead).
	objcopy -O binary -R .init.scratch "$vmlinux" "$tmp/kernel.bin" || return 1
	(( load + $(stat -c %s "$tmp/kernel.bin") <= end )) ||
		{ echo "sandbox: flat kernel image larger than the kernel" >&2; return 1; }
	objcopy -I binary -O elf32-i386 -B i386 \
		--rename-section .data=.kernel,alloc,load,readonly,data,contents \
		"$tmp/kernel.bin" "$tmp/kernel.o" || return 1
	gcc -m32 -march=i686 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic \
		-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
		-fcf-protection=none -mno-sse -mno-mmx -nostdlib \
		-c "$here/sandbox.d/pvh-boot.c" -o "$tmp/pvh-boot.o" || return 1
	cat >"$tmp/link.ld" <<-EOF || return 1
	ENTRY(_start)
	PHDRS { boot PT_LOAD; kernel PT_LOAD; }
	SECTIONS {
		. = 0x800000;
		.text : { *(.multiboot) *(.text .text.*) *(.rodata .rodata.*) } :boot
		.data : { *(.data .data.*) *(.bss .bss.*) *(COMMON) } :boot
		_end = .;
		. = $load;
		pvh_kernel_start = .;
		.kernel : { *(.kernel) } :kernel
		.kernel_bss (NOLOAD) : { . += $end - $load - SIZEOF(.kernel); } :kernel
		pvh_kernel_end = $end;
		pvh_entry = $entry;
		/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
	}
	EOF
	ld -m elf_i386 -s -z noexecstack --no-warn-rwx-segments -T "$tmp/link.ld" \
		-o "$tmp/kernel.elf" "$tmp/pvh-boot.o" "$tmp/kernel.o" || return 1
	chmod 0644 "$tmp/kernel.elf" && mv -f "$tmp/kernel.elf" "$kelf" &&
		echo "$kelf_key" | write_atomic "$kelf.key"
}

kelf_key=$(
	echo "format 1"
	cat "$cache/vmlinux-$kver.key"
	sha256sum <"$here/sandbox.d/pvh-boot.c"
)
kelf_key=$(sha256sum <<<"$kelf_key" | cut -d' ' -f1)
if [[ ! -s $kelf || "$(cat "$kelf.key" 2>/dev/null)" != "$kelf_key" ]]; then
	(build_kernel_elf) || fail "building the VMX lane's kernel image failed"
fi

# ---------------------------------------------------------------------------
# Copying host files to the same paths.  Debian merges /usr (/bin is a
# link to usr/bin, ...), so a file's place is its directory's real path plus
# its own name; a symbolic link is kept as one and its target comes along.

# The canonical place of host path $1: real directory, own file name.
canon_path() {
	local dir
	dir=$(readlink -f -- "$(dirname -- "$1")")
	printf '%s/%s\n' "${dir%/}" "${1##*/}"
}

# Shared libraries, and the dynamic loader, that ELF files $@ need; one per
# line.  ldd reads the files without running them; for anything that is not
# a dynamic ELF it prints nothing useful, which is fine.
ldd_libs() {
	[[ $# -gt 0 ]] || return 0
	ldd "$@" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u
}

# ---------------------------------------------------------------------------
# The base initramfs (cached).

add_base_modules() {
	local m
	for m in "${vmx_modules[@]}" "${extra_modules[@]}"; do
		add_module "$m"
	done
}
add_base_modules

# Host programs, as paths; their list is part of the cache key.
base_programs=()
for prog in "${vmx_programs[@]}"; do
	p=$(type -P "$prog") && base_programs+=("$p")
done
for pkg in "${vmx_packages[@]}"; do
	while read -r p; do
		[[ -f $p && -x $p ]] && base_programs+=("$p")
	done < <(dpkg -L "$pkg" 2>/dev/null | grep -E '^(/usr)?/s?bin/')
done
type -P bash >/dev/null || fail "bash not found"
type -P kmod >/dev/null || fail "kmod not found (run scripts/deps)"

base=$cache/vmx-base-$kver.cpio
base_key=$(
	echo "format 1"
	echo "kernel $kver"
	sha256sum <"$here/sandbox.d/vmx-init"
	# Any package installed, removed or upgraded (programs, libraries,
	# kernel modules, busybox) changes dpkg's status file.
	stat -c '%s %Y' /var/lib/dpkg/status
	stat -L -c '%n %s %Y' "$busybox" "${base_programs[@]}"
	for m in "${mod_order[@]}"; do
		stat -L -c '%n %s %Y' "${mod_file[$m]}"
	done
)
base_key=$(sha256sum <<<"$base_key" | cut -d' ' -f1)

# Runs as "(build_base) || fail", so every step checks its own status.
build_base() {
	local stage d p a lib
	local -A staged=()
	stage=$(mktemp -d "$cache/stage.XXXXXX")
	# shellcheck disable=SC2064 # expand $stage now, not when the trap runs
	trap "rm -rf '$stage'" EXIT

	# Copy host path $1 to the stage at its canonical place; follow links.
	stage_add() {
		local p=$1 c target
		c=$(canon_path "$p")
		[[ -z ${staged[$c]:-} ]] || return 0
		staged[$c]=1
		if [[ -d $p && ! -L $p ]]; then
			mkdir -p "$stage$c"
			return
		fi
		mkdir -p "$stage${c%/*}" && cp -a -- "$p" "$stage$c" || return 1
		if [[ -L $p ]]; then
			target=$(readlink -- "$p")
			[[ $target == /* ]] || target=${c%/*}/$target
			stage_add "$target" || return 1
		fi
		return 0
	}

	# The same /usr merge links as the host: /bin -> usr/bin, ...
	for d in bin sbin lib lib32 lib64 libx32; do
		[[ -L /$d ]] || continue
		p=$(readlink "/$d")
		ln -s "$p" "$stage/$d" || return 1
		[[ $p == /* ]] || mkdir -p "$stage/$p"
		staged[/$d]=1
	done
	mkdir -p "$stage"/{etc/vsbx,proc,sys,run,tmp,var/tmp,root,mnt} || return 1
	chmod 1777 "$stage/tmp" "$stage/var/tmp"
	chmod 0700 "$stage/root"
	install -m 0755 "$here/sandbox.d/vmx-init" "$stage/init"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
		>"$stage/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$stage/etc/group"
	ln -s ../proc/self/mounts "$stage/etc/mtab"

	stage_add "$busybox" || return 1
	for p in "${base_programs[@]}"; do
		stage_add "$p" || return 1
	done
	while read -r lib; do
		stage_add "$lib" || return 1
	done < <(ldd_libs "$busybox" "${base_programs[@]}")

	# busybox for every applet no host program provides.
	while read -r a; do
		case $a in */init|*/linuxrc) continue ;; esac
		[[ -e $stage/$a || -L $stage/$a ]] && continue
		mkdir -p "$(dirname "$stage/$a")" && ln -s "$busybox" "$stage/$a" || return 1
	done < <("$busybox" --list-full)

	# Modules at their paths, plus what modprobe needs to know.
	for p in "${mod_order[@]}"; do
		stage_add "${mod_file[$p]}" || return 1
	done
	for p in modules.order modules.builtin modules.builtin.modinfo; do
		[[ ! -e /lib/modules/$kver/$p ]] || stage_add "/lib/modules/$kver/$p" || return 1
	done
	depmod -b "$stage" "$kver" || return 1

	# /dev/console by hand (see cpio_node); everything else from the stage.
	{
		cpio_node dev 040755 0 0
		cpio_node dev/console 020600 5 1
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc -R 0:0)
	} | write_atomic "$base" || return 1
	(cd "$stage" && find . -mindepth 1 | sed 's/^\.//') | write_atomic "$base.list" &&
		echo "$base_key" | write_atomic "$base.key"
}

if [[ ! -s $base || ! -s $base.list || "$(cat "$base.key" 2>/dev/null)" != "$base_key" ]]; then
	(build_base) || fail "building the VMX lane's base initramfs failed"
fi

# ---------------------------------------------------------------------------
# The per-run part: a list of host paths for cpio, parents first.

run=$(mktemp -d /tmp/vireo-sandbox.XXXXXX)
bochs_pid=
# shellcheck disable=SC2317 # invoked by the traps
cleanup() {
	if [[ -n $bochs_pid ]]; then
		# timeout(1) passes the INT on to Bochs, whose debugger then
		# quits; KILL in case it does not.
		kill -INT "$bochs_pid" 2>/dev/null || true
		wait "$bochs_pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -A in_base=()
while read -r p; do
	in_base[$p]=1
done <"$base.list"

declare -A listed=()
plist=()
list_add() { # NAME: relative to /, once
	[[ -z ${listed[$1]:-} && -z ${in_base[/$1]:-} ]] || return 0
	listed[$1]=1
	plist+=("$1")
}
list_dirs() { # DIR: a canonical directory and its ancestors, outermost first
	local rest=${1#/} acc='' part
	while [[ -n $rest ]]; do
		part=${rest%%/*}
		[[ $rest == */* ]] && rest=${rest#*/} || rest=
		acc=${acc:+$acc/}$part
		list_add "$acc"
	done
}
# Host path $1 (not a directory's contents) and its parents; a link and its
# target, recursively.
list_path() {
	local c target
	c=$(canon_path "$1")
	list_dirs "${c%/*}"
	list_add "${c#/}"
	if [[ -L $1 ]]; then
		target=$(readlink -- "$1")
		[[ $target == /* ]] || target=${c%/*}/$target
		[[ -n ${listed[${target#/}]:-} ]] || list_path "$target"
	fi
}
# Host path $1 as it is spelled: symbolic links on the way become links
# inside too, so "cd $1" works there.
list_view() {
	local p=${1%/} acc='' rest part
	[[ -n $p ]] || return 0		# / itself
	rest=${p#/}
	while [[ -n $rest ]]; do
		part=${rest%%/*}
		[[ $rest == */* ]] && rest=${rest#*/} || rest=
		acc=$acc/$part
		[[ -L $acc ]] && list_path "$acc"
	done
	list_path "$p"
}
# A directory tree's contents (find does not follow links, so a link that
# points out of the trees put in dangles inside).
list_tree() { # DIR [find-filter...]
	local dir=$1 name
	shift
	while IFS= read -r -d '' name; do
		list_add "${name#/}"
	done < <(find "$dir" -mindepth 1 "$@" -print0)
}

# The repository without its git data, the sandbox cache and build
# intermediates (objects, archives, dependency files, kbuild's .cmd files).
repo_c=$(readlink -f -- "$repo")
roots=("$repo_c")
list_view "$repo"
list_tree "$repo_c" \( -path "$repo_c/.git" -o -path "$repo_c/build/sandbox" \) -prune -o \
	\( -type f \( -name '*.o' -o -name '*.a' -o -name '*.d' -o -name '.*.cmd' \) \) -o
for p in "${includes[@]}"; do
	[[ $p == /* ]] || p=$PWD/$p
	list_view "$p"
	if [[ -d $p ]]; then
		c=$(readlink -f -- "$p")
		roots+=("$c")
		list_tree "$c"
	fi
done
# The current directory, for "cd" (only the directory itself when it is in
# none of the trees above).
cwd_c=$(readlink -f -- "$PWD")
cwd_inside=
for c in "${roots[@]}"; do
	[[ $cwd_c == "$c" || $cwd_c == "$c"/* ]] && cwd_inside=1
done
list_view "$PWD"
[[ -n $cwd_inside || -n ${in_base[$cwd_c]:-} || $cwd_c == / ]] ||
	echo "sandbox: note: $PWD is not in the VMX sandbox (only the repository and --include paths are); it is created empty there" >&2
# The host's library cache: the loader looks up libraries by it, and they
# are at the same paths inside (those that are there).
[[ -r /etc/ld.so.cache ]] && list_path /etc/ld.so.cache

# Libraries that the programs and libraries among them need and the base
# lacks (ldd skips scripts and static programs).
elfs=()
for p in "${plist[@]}"; do
	[[ -f /$p && ! -L /$p ]] || continue
	[[ -x /$p || $p == *.so || $p == *.so.* ]] && elfs+=("/$p")
done
while read -r lib; do
	list_path "$lib"
done < <(ldd_libs "${elfs[@]}")

# Unique per run, so nothing COMMAND prints can be taken for it.
marker="VSBX-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-EXIT"
mkdir -p "$run/gen/etc/vsbx"
{
	echo "# generated by scripts/sandbox"
	printf 'cd -- %q || exit 125\n' "$PWD"
	printf '%q ' "$@"
	echo
} >"$run/gen/etc/vsbx/cmd"
echo "$marker" >"$run/gen/etc/vsbx/marker"

# Base, then this run's part: the kernel unpacks concatenated archives.
# (Only the two files from gen/: /etc/vsbx is in the base already.)  Not
# compressed: Bochs boots a 59 MB initramfs in 17.3 s as it is, 18.1 s as
# lz4 (35 MB), 23.5 s as zstd (18 MB); the kernel mishandled gzip.
cp "$base" "$run/initrd" || fail "cannot copy $base"
if [[ ${#plist[@]} -gt 0 ]]; then
	printf '%s\0' "${plist[@]}" | (cd / && cpio --quiet -o -0 -H newc -R 0:0) \
		>>"$run/initrd" || fail "archiving the files for the sandbox failed"
fi
printf '%s\n' etc/vsbx/cmd etc/vsbx/marker |
	(cd "$run/gen" && cpio --quiet -o -H newc -R 0:0) >>"$run/initrd" ||
	fail "archiving the command failed"

# ---------------------------------------------------------------------------
# The ISO and Bochs.

cp "$isolinux_bin" "$run/isolinux.bin"	# -boot-info-table patches it
cat >"$run/isolinux.cfg" <<EOF
DEFAULT vsbx
PROMPT 0
TIMEOUT 0
LABEL vsbx
  KERNEL mboot.c32
  APPEND /vireo.elf $vmx_cmdline --- /initrd
EOF
xorriso -as mkisofs -quiet -o "$run/boot.iso" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table -graft-points \
	"isolinux/isolinux.bin=$run/isolinux.bin" \
	"isolinux/isolinux.cfg=$run/isolinux.cfg" \
	"isolinux/ldlinux.c32=$syslinux_bios/ldlinux.c32" \
	"isolinux/libcom32.c32=$syslinux_bios/libcom32.c32" \
	"isolinux/mboot.c32=$syslinux_bios/mboot.c32" \
	"vireo.elf=$kelf" "initrd=$run/initrd" 2>"$run/xorriso.log" || {
		cat "$run/xorriso.log" >&2
		fail "building the ISO failed"
	}
rm -f "$run/initrd"

cat >"$run/bochsrc" <<EOF
# generated by scripts/sandbox --lane vmx
cpu: model=$vmx_cpu_model, count=$cpus, ips=$vmx_ips, reset_on_triple_fault=0
memory: guest=$vmx_mem, host=$(( vmx_mem < 2048 ? vmx_mem : 2048 ))
romimage: file=$bochs_bios
vgaromimage: file=$bochs_vgabios
display_library: term, options="hideIPS"
ata0-master: type=cdrom, path=$run/boot.iso, status=inserted
boot: cdrom
clock: sync=none, time0=utc
com1: enabled=1, mode=file, dev=$run/serial
speaker: enabled=0
mouse: enabled=0
log: $run/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF

# Console filter: as in the SVM lane (strip \r, hide and record the marker
# line, hide the power-off chatter after it, note kernel trouble), plus
# what Bochs cannot do itself: stop at a panic's end or when the guest
# reboots (see the top of this file), by signalling timeout(1).
awk_opts=()
if awk -W version 2>/dev/null | grep -q mawk; then
	awk_opts=(-W interactive)
fi
# shellcheck disable=SC2016 # $0 is awk's
filter_prog='
function flag(name) { printf "" > (run "/" name); close(run "/" name) }
function stop() { system("kill -INT " pid " 2>/dev/null"); exit }
{
	gsub(/\r/, "")
	if ((i = index($0, "<<" marker ">> ")) > 0) {
		if (i > 1) { print substr($0, 1, i - 1); fflush() }
		print substr($0, i + length(marker) + 5) > (run "/result")
		close(run "/result")
		seen = 1
		next
	}
	if (seen && ($0 ~ /reboot: Power down/ || $0 ~ /ACPI: PM: Preparing to enter/))
		next
	if (!seen && $0 ~ /\] reboot: Restarting system/) {
		print; fflush(); flag("reboot"); stop()
	}
	if (!seen && $0 == "pvh-boot: starting Linux") {
		if (booted++) { flag("reboot"); stop() }
		next
	}
	if (!seen && index($0, "pvh-boot: fatal:") == 1) {
		print; fflush(); flag("bootfail"); stop()
	}
	# Boot-time errors that Bochs always causes, not the code under test:
	# its Haswell has no TSC-deadline microcode fix and no perf counters.
	if ($0 ~ /\] \[Firmware Bug\]: TSC_DEADLINE disabled due to Errata/ ||
	    $0 ~ /\] Failed to access perfctr msr/)
		next
	if ($0 ~ /Kernel panic - not syncing/)
		flag("panic")
	if ($0 ~ /\] (WARNING: CPU:|BUG:|Oops:|general protection fault|kernel BUG at)/) {
		print >> (run "/trouble"); close(run "/trouble")
	}
	print
	fflush()
	if ($0 ~ /---\[ end Kernel panic/)
		stop()
}'

: >"$run/serial"
# bochs (a wrapper that execs bochs-bin) with "c" for its debugger prompt;
# TERM for the term display's curses.
timeout -s INT -k 5 "$timeout" env TERM=vt100 bochs -q -f "$run/bochsrc" \
	<<<c >"$run/bochs.out" 2>&1 &
bochs_pid=$!
# tail ends when Bochs does, or by SIGPIPE when the filter stopped early.
filter_status=0
tail -n +1 -s 0.2 -f --pid="$bochs_pid" "$run/serial" |
	awk "${awk_opts[@]}" -v marker="$marker" -v run="$run" -v pid="$bochs_pid" "$filter_prog" ||
	filter_status=${PIPESTATUS[1]}
[[ $filter_status -eq 0 ]] || echo "sandbox: console filter failed" >&2
bochs_status=0
{ wait "$bochs_pid" || bochs_status=$?; } 2>/dev/null
bochs_pid=

if [[ -s $run/result ]]; then
	result=$(cat "$run/result")
	if [[ $result =~ ^[0-9]+$ ]]; then
		if [[ -s $run/trouble ]]; then
			echo "sandbox: note: the kernel reported problems while the command ran:" >&2
			sed 's/^/sandbox:   /' "$run/trouble" >&2
		fi
		exit "$result"
	fi
	fail "set-up inside the sandbox failed (${result#setup-failed: })"
fi
if [[ -e $run/panic ]]; then
	echo "sandbox: the sandbox kernel panicked" >&2
	exit 126
fi
# Before the timeout check: stopping Bochs for these may need timeout's KILL.
[[ ! -e $run/bootfail ]] || fail "the sandbox did not boot (pvh-boot failed, see above)"
[[ ! -e $run/reboot ]] || fail "the sandbox rebooted before the command finished"
if [[ $bochs_status -eq 124 || $bochs_status -eq 137 ]]; then
	echo "sandbox: timed out after $timeout s, Bochs killed" >&2
	exit 124
fi
# Bochs' own complaints: its log (panics and errors, minus the power-off it
# reports as one) and the end of its output (configuration errors).
if grep -E '^[0-9]+[pe]\[' "$run/bochs.log" 2>/dev/null |
	grep -v -E 'soft power off|(RD|WR)MSR: Unknown register' |
	tail -n 20 >"$run/complaints" && [[ -s $run/complaints ]]; then
	echo "sandbox: Bochs said:" >&2
	cat "$run/complaints" >&2
fi
grep -A3 'Bochs is exiting' "$run/bochs.out" >&2 2>/dev/null || true
fail "the sandbox stopped without reporting the command's status (Bochs exit status $bochs_status)"
