// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization is on, on every online CPU, only while at least one
 * VM exists, as KVM does, so that another hypervisor can use the CPU when
 * Vireo has no VM; where another hypervisor has it on, the backend shares
 * it (docs/coexistence.md).  A CPU hotplug state follows CPUs coming and going: its
 * callbacks run on each CPU concerned, and cpuhp_setup_state() runs the
 * "online" one on every CPU already up (undoing all of them if one fails).
 */
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/syscore_ops.h>

#include "vireo.h"

static DEFINE_MUTEX(hw_lock);
static unsigned int hw_users;
static enum cpuhp_state hw_state;

static int vireo_cpu_online(unsigned int cpu)
{
	return vireo_ops.hw_enable_cpu();
}

static int vireo_cpu_offline(unsigned int cpu)
{
	vireo_ops.hw_disable_cpu();
	return 0;
}

/*
 * Host suspend and resume: the CPUs but the last go through the hotplug
 * callbacks above; the last one sleeps with interrupts off after the
 * suspend callback and wakes with the resume callback (KVM's kvm_suspend()
 * and kvm_resume()).  A CPU Vireo held is held again; one it shared with
 * KVM, KVM turns on again, Vireo's held one it cannot have had.
 */
#ifdef VIREO_STRUCT_SYSCORE
static int vireo_suspend(void *data)
{
	vireo_ops.hw_suspend_cpu();
	return 0;
}

static void vireo_resume(void *data)
{
	vireo_ops.hw_resume_cpu();
}

static const struct syscore_ops vireo_syscore_ops = {
	.suspend	= vireo_suspend,
	.resume		= vireo_resume,
};

static struct syscore vireo_syscore = { .ops = &vireo_syscore_ops };

static void vireo_syscore_register(void)
{
	register_syscore(&vireo_syscore);
}

static void vireo_syscore_unregister(void)
{
	unregister_syscore(&vireo_syscore);
}
#else
static int vireo_suspend(void)
{
	vireo_ops.hw_suspend_cpu();
	return 0;
}

static void vireo_resume(void)
{
	vireo_ops.hw_resume_cpu();
}

static struct syscore_ops vireo_syscore_ops = {
	.suspend	= vireo_suspend,
	.resume		= vireo_resume,
};

static void vireo_syscore_register(void)
{
	register_syscore_ops(&vireo_syscore_ops);
}

static void vireo_syscore_unregister(void)
{
	unregister_syscore_ops(&vireo_syscore_ops);
}
#endif

int vireo_hw_get(void)
{
	int r = 0;

	mutex_lock(&hw_lock);
	if (hw_users == 0) {
		r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vireo:online",
				      vireo_cpu_online, vireo_cpu_offline);
		if (r < 0)
			goto out;
		hw_state = r;
		r = 0;
		vireo_syscore_register();
	}
	hw_users++;
out:
	mutex_unlock(&hw_lock);
	return r;
}

void vireo_hw_put(void)
{
	mutex_lock(&hw_lock);
	if (!WARN_ON_ONCE(hw_users == 0) && --hw_users == 0) {
		vireo_syscore_unregister();
		cpuhp_remove_state(hw_state);
	}
	mutex_unlock(&hw_lock);
}
