// SPDX-License-Identifier: GPL-2.0
/*
 * vireo.ko: module init, the /dev/vireo device and its ioctls, and the
 * module-wide counters in /sys/class/misc/vireo/.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <asm/cpu_device_id.h>

#include "vireo.h"

struct vireo_backend vireo_backend;
struct vireo_backend_ops vireo_ops;

static atomic_long_t stat_pages;
static atomic_long_t stat_pinned;
static atomic_t stat_vms;
static atomic_t stat_vcpus;

/* Every page the module allocates for VM structures goes through here. */
struct page *vireo_alloc_page(void)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (page)
		atomic_long_inc(&stat_pages);
	return page;
}

void vireo_free_page(struct page *page)
{
	if (!page)
		return;
	atomic_long_dec(&stat_pages);
	__free_page(page);
}

void vireo_stat_pinned(long delta)
{
	atomic_long_add(delta, &stat_pinned);
}

void vireo_stat_vms(int delta)
{
	atomic_add(delta, &stat_vms);
}

void vireo_stat_vcpus(int delta)
{
	atomic_add(delta, &stat_vcpus);
}

static long vireo_check_cap(unsigned long cap)
{
	switch (cap) {
	case VIREO_CAP_BACKEND:
		return vireo_backend.id;
	case VIREO_CAP_NESTED_PAGING:
		return 1;
	case VIREO_CAP_MAX_VCPUS:
		return VIREO_MAX_VCPUS;
	case VIREO_CAP_MAX_MEMSLOTS:
		return VIREO_MAX_MEMSLOTS;
	case VIREO_CAP_TAGGED_TLB:
		return vireo_backend.nr_tlb_tags;
	case VIREO_CAP_MAX_CPUID:
		return VIREO_MAX_CPUID;
	case VIREO_CAP_MAX_GPA_BITS:
		return VIREO_GPA_BITS;
	case VIREO_CAP_GUEST_TIME:
		return 1;
	case VIREO_CAP_NETLINK:
		return VIREO_GENL_VERSION;
	case VIREO_CAP_IOEVENTFD:
		return VIREO_MAX_IOEVENTFDS;
	case VIREO_CAP_IRQFD:
		return VIREO_MAX_IRQFDS;
	}
	return -EINVAL;
}

static long vireo_dev_ioctl(struct file *f, unsigned int cmd,
			    unsigned long arg)
{
	switch (cmd) {
	case VIREO_GET_API_VERSION:
		return arg ? -EINVAL : VIREO_API_VERSION;
	case VIREO_CHECK_CAP:
		return vireo_check_cap(arg);
	case VIREO_CREATE_VM:
		return vireo_create_vm(arg);
	case VIREO_GET_RUN_SIZE:
		return arg ? -EINVAL : VIREO_RUN_PAGES * PAGE_SIZE;
	case VIREO_GET_SUPPORTED_CPUID:
		return vireo_get_supported_cpuid((void __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations vireo_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vireo_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

#define VIREO_STAT_ATTR(name, fmt, expr)				\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, fmt "\n", expr);				\
}									\
static DEVICE_ATTR_RO(name)

VIREO_STAT_ATTR(pages, "%ld", atomic_long_read(&stat_pages));
VIREO_STAT_ATTR(pinned, "%ld", atomic_long_read(&stat_pinned));
VIREO_STAT_ATTR(vms, "%d", atomic_read(&stat_vms));
VIREO_STAT_ATTR(vcpus, "%d", atomic_read(&stat_vcpus));
VIREO_STAT_ATTR(backend, "%s", vireo_backend.name);

static struct attribute *vireo_attrs[] = {
	&dev_attr_pages.attr,
	&dev_attr_pinned.attr,
	&dev_attr_vms.attr,
	&dev_attr_vcpus.attr,
	&dev_attr_backend.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vireo);

static struct miscdevice vireo_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vireo",
	.fops	= &vireo_dev_fops,
	.groups	= vireo_groups,
	.mode	= 0600,
};

/* Each backend checks the CPU it runs on; the first that fits is used. */
static int (*const vireo_probes[])(struct vireo_backend *b) = {
	svm_probe,
	vmx_probe,
};

static int vireo_probe_backend(void)
{
	int i, r = -ENODEV;

	for (i = 0; i < ARRAY_SIZE(vireo_probes); i++) {
		r = vireo_probes[i](&vireo_backend);
		if (r != -ENODEV)
			return r;
	}
	pr_err("vireo: this CPU has no usable AMD-V (or VT-x): not loading\n");
	return r;
}

static int __init vireo_init(void)
{
	int r;

	r = vireo_probe_backend();
	if (r)
		return r;
	vireo_ops = *vireo_backend.ops;
	vireo_fpu_setup();
	/* run.c's notifier: the static key that makes the scheduler call it. */
	preempt_notifier_inc();
	vireo_debugfs_init();
	r = vireo_irqfd_init();
	if (r)
		goto err_debugfs;
	r = vireo_netlink_init();
	if (r) {
		pr_err("vireo: cannot register the netlink family: %d\n", r);
		goto err_irqfd;
	}

	r = misc_register(&vireo_dev);
	if (r) {
		pr_err("vireo: cannot register /dev/vireo: %d\n", r);
		goto err_netlink;
	}
	pr_info("vireo: %s backend ready, %u tagged-TLB ids, /dev/vireo\n",
		vireo_backend.name, vireo_backend.nr_tlb_tags);
	return 0;

err_netlink:
	vireo_netlink_exit();
err_irqfd:
	vireo_irqfd_exit();
err_debugfs:
	vireo_debugfs_exit();
	preempt_notifier_dec();
	vireo_backend.exit();
	return r;
}

static void __exit vireo_exit(void)
{
	misc_deregister(&vireo_dev);
	vireo_netlink_exit();
	vireo_irqfd_exit();
	vireo_debugfs_exit();
	preempt_notifier_dec();
	vireo_backend.exit();
}

/*
 * Loaded at boot by udev on a CPU that has VT-x or AMD-V (its modalias, as
 * kvm_intel's and kvm_amd's), and never asked for on one that has neither.
 */
static const struct x86_cpu_id vireo_cpu_ids[] = {
	X86_MATCH_FEATURE(X86_FEATURE_VMX, NULL),
	X86_MATCH_FEATURE(X86_FEATURE_SVM, NULL),
	{}
};
MODULE_DEVICE_TABLE(x86cpu, vireo_cpu_ids);

module_init(vireo_init);
module_exit(vireo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo hypervisor: VMs through /dev/vireo");
MODULE_VERSION(VIREO_VERSION);
