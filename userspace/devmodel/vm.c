// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/vireo.h>

#include "exitcodes.h"
#include "machine.h"
#include "memmap.h"
#include "release.h"
#include "util.h"
#include "vm.h"

/*
 * Not inherited by a child (the control socket's cleaner, control_files.h):
 * a fork would otherwise share the pages copy-on-write, and the VM's
 * first write to each (its pin) would copy it.  QEMU does the same.
 */
static void *alloc_guest_memory(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, size, MADV_DONTFORK)) {
		munmap(p, size);
		return NULL;
	}
	return p;
}

/*
 * CAP_IPC_LOCK in the effective set (/proc/self/status, proc(5)), and in
 * the first user namespace, where the kernel asks for it (in another, as
 * a rootless container's, it does not count).
 */
static bool can_lock_any(void)
{
	char self[64] = "", init[64] = "", line[128];
	unsigned long long eff = 0;
	FILE *f;

	if (readlink("/proc/self/ns/user", self, sizeof(self) - 1) <= 0 ||
	    readlink("/proc/1/ns/user", init, sizeof(init) - 1) <= 0 ||
	    strcmp(self, init))
		return false;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 14);	/* CAP_IPC_LOCK */
}

/*
 * vireo.ko charges each guest page it pins to the user, against the
 * RLIMIT_MEMLOCK of the process (kernel/memslot.c): a guest that could
 * not touch all its memory would stop midway.  The soft limit goes up to
 * the hard one; if that is still too little for this guest alone, say so
 * now, and what to do.  (The user's other VMs count too; the kernel stops
 * this one when they all reach the limit.)
 */
static int check_memlock(uint64_t bytes)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return 0;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			getrlimit(RLIMIT_MEMLOCK, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= bytes ||
	    can_lock_any())
		return 0;
	pr_err("the guest's %llu KiB of memory is more than this process may lock: RLIMIT_MEMLOCK is %llu KiB\n",
	       (unsigned long long)(bytes >> 10),
	       (unsigned long long)(rl.rlim_cur >> 10));
	pr_err("raise it: ulimit -l (as root), LimitMEMLOCK= for a systemd unit, a memlock line in /etc/security/limits.d/ for a user (README.md, \"Installing\")\n");
	return EXIT_CODE_HOST;
}

int vm_alloc_memory(struct vm *vm, uint64_t ram_size, uint64_t rom_size)
{
	int ret = check_memlock(ram_size + rom_size);

	if (ret)
		return ret;
	memset(vm, 0, sizeof(*vm));
	vm->dev_fd = -1;
	vm->vm_fd = -1;
	vm->ram = alloc_guest_memory(ram_size);
	if (!vm->ram) {
		pr_err("cannot allocate %llu bytes of guest RAM: %m\n",
		       (unsigned long long)ram_size);
		return EXIT_CODE_HOST;
	}
	vm->ram_size = ram_size;
	if (rom_size) {
		vm->rom = alloc_guest_memory(rom_size);
		if (!vm->rom) {
			pr_err("cannot allocate the ROM buffer: %m\n");
			return EXIT_CODE_HOST;
		}
		vm->rom_size = rom_size;
		vm->nr_map = memmap_build(ram_size, rom_size, vm->map);
	} else {
		vm->nr_map = memmap_build_kernel(ram_size, vm->map);
	}
	guest_mem_init(&vm->mem, vm->map, vm->nr_map, vm->ram, vm->rom);
	return 0;
}

static void explain_open_error(int err)
{
	pr_err("cannot open %s: %s\n", VIREO_DEVICE, strerror(err));
	if (err == EACCES || err == EPERM) {
		pr_err("run as root, or give your user access to %s\n",
		       VIREO_DEVICE);
		return;
	}
	pr_err("load the module first: `sudo insmod kernel/vireo.ko` (from `make module`)\n");
	pr_err("if it does not load: this CPU lacks AMD-V/VT-x or the firmware\n");
	pr_err("disables them (see dmesg)\n");
}

/*
 * The module's API first (a mismatch stops here), then its release: after
 * an upgrade the old module stays loaded while VMs run, and the user is
 * told which of the two to restart or upgrade (release.h).
 */
static int vm_check_api(int dev_fd)
{
	int version = ioctl(dev_fd, VIREO_GET_API_VERSION, 0);
	char module[64], advice[320];
	int err = release_of_module(module, sizeof(module));
	/* No /sys/module/vireo at all (not the usual /sys): nothing to say. */
	bool differ = err != -ENOENT &&
		      release_advice("vireo-vm", vireo_release(),
				     err ? NULL : module, advice,
				     sizeof(advice));

	if (version < 0) {
		pr_err("VIREO_GET_API_VERSION failed: %m\n");
		return EXIT_CODE_API_VERSION;
	}
	if (version != VIREO_API_VERSION) {
		pr_err("API version mismatch: vireo.ko has %d, vireo-vm wants %d\n",
		       version, VIREO_API_VERSION);
		pr_err("%s\n", differ ? advice :
		       "build both from the same tree");
		return EXIT_CODE_API_VERSION;
	}
	if (differ)
		pr_err("note: %s\n", advice);
	return 0;
}

int vm_open(struct vm *vm)
{
	int ret;

	/* Kept across a reset: the VM process opens nothing once it runs. */
	if (vm->dev_fd < 0) {
		vm->dev_fd = open(VIREO_DEVICE, O_RDWR | O_CLOEXEC);
		if (vm->dev_fd < 0) {
			explain_open_error(errno);
			return EXIT_CODE_NO_DEVICE;
		}
		ret = vm_check_api(vm->dev_fd);
		if (ret)
			return ret;
	}
	vm->vm_fd = ioctl(vm->dev_fd, VIREO_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		pr_err("VIREO_CREATE_VM failed: %m (see dmesg)\n");
		return EXIT_CODE_HOST;
	}
	return 0;
}

static int vm_add_slot(struct vm *vm, const struct memmap_region *r)
{
	uint8_t *base = r->kind == MEMMAP_ROM ? vm->rom : vm->ram;
	struct vireo_memory_region region = {
		.slot = vm->nr_slots,
		.flags = r->kind == MEMMAP_ROM ? VIREO_MEM_READONLY : 0,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (uintptr_t)(base + r->offset),
	};

	if (ioctl(vm->vm_fd, VIREO_SET_MEMORY_REGION, &region) < 0) {
		pr_err("cannot map %s at GPA 0x%llx-0x%llx as slot %u: %m\n",
		       r->kind == MEMMAP_ROM ? "ROM" : "RAM",
		       (unsigned long long)r->gpa,
		       (unsigned long long)(r->gpa + r->size - 1),
		       region.slot);
		return EXIT_CODE_HOST;
	}
	vm->nr_slots++;
	return 0;
}

static int vm_add_slots(struct vm *vm, const struct memmap_region *r,
			unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vm_add_slot(vm, &r[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_map_memory(struct vm *vm)
{
	return vm_add_slots(vm, vm->map, vm->nr_map);
}

/* Any thread may send; the failure is told once. */
static atomic_bool msi_failure_reported;

int vm_ioeventfd(struct machine *m, uint64_t gpa, uint32_t len, int fd,
		 bool assign)
{
	const struct vm *vm = m->msi_opaque;
	struct vireo_ioeventfd a = {
		.addr = gpa, .len = len, .fd = fd,
		.flags = assign ? 0 : VIREO_IOEVENTFD_DEASSIGN,
	};

	return ioctl(vm->vm_fd, VIREO_IOEVENTFD, &a) ? -errno : 0;
}

int vm_signal_msi(struct machine *m, uint64_t address, uint32_t data)
{
	const struct vm *vm = m->msi_opaque;
	struct vireo_msi msi = { .address = address, .data = data };
	int ret = ioctl(vm->vm_fd, VIREO_SIGNAL_MSI, &msi);

	if (ret >= 0)
		return ret;
	ret = -errno;
	/* The IOAPIC and PIC validate what they send: this is a bug. */
	if (!atomic_exchange(&msi_failure_reported, true))
		pr_err("VIREO_SIGNAL_MSI 0x%llx/0x%x failed: %s (reported once)\n",
		       (unsigned long long)address, data, strerror(-ret));
	return ret;
}

int vm_set_guest_time(struct machine *m, bool stopped)
{
	const struct vm *vm = m->guest_time_opaque;
	struct vireo_guest_time t = {
		.state = stopped ? VIREO_GUEST_TIME_STOPPED :
				   VIREO_GUEST_TIME_RUNNING,
	};

	if (!ioctl(vm->vm_fd, VIREO_SET_GUEST_TIME, &t))
		return 0;
	/* A vireo.ko older than this vireo-vm (VIREO_CAP_GUEST_TIME). */
	if (errno == ENOTTY)
		pr_err("the loaded vireo.ko cannot stop guest time: load this version's module to pause VMs\n");
	return -errno;
}

void vm_close(struct vm *vm)
{
	/* Closing the VM fd drops the slots before their memory goes away. */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
	vm->nr_slots = 0;
}

void vm_destroy(struct vm *vm)
{
	vm_close(vm);
	if (vm->dev_fd >= 0)
		close(vm->dev_fd);
	vm->dev_fd = -1;
	if (vm->rom)
		munmap(vm->rom, vm->rom_size);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->rom = NULL;
	vm->ram = NULL;
}
