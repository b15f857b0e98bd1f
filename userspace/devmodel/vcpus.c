// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"
#include "exitcodes.h"
#include "util.h"
#include "vcpus.h"

static int check_max_vcpus(struct vm *vm, unsigned int nr)
{
	int max = ioctl(vm->dev_fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_VCPUS);

	if (max > 0 && nr > (unsigned int)max) {
		pr_err("vireo.ko runs at most %d vCPUs per VM, not %u\n",
		       max, nr);
		return EXIT_CODE_HOST;
	}
	return 0;
}

static int vcpu_set_cpuid(struct vcpu *v, const struct cpuid_table *base,
			  unsigned int nr, struct cpuid_table *t)
{
	int err = cpuid_for_vcpu(base, v->id, nr, t);

	if (!err)
		err = cpuid_set(v->fd, t);
	if (err) {
		pr_err("cannot set the CPUID table of vCPU %u (%u entries): %s\n",
		       v->id, t->nent, strerror(-err));
		return EXIT_CODE_HOST;
	}
	return 0;
}

/* Intel SDM Vol. 3A 9.4 "Multiple-Processor (MP) Initialization". */
static int vcpu_park_ap(struct vcpus *s, struct vcpu *v)
{
	if (vcpu_set_mp_state(v, VIREO_MP_STATE_WAIT_SIPI))
		return EXIT_CODE_HOST;
	v->stopped = true;
	s->nr_stopped++;
	return 0;
}

static int vcpus_create_all(struct vcpus *s, struct vm *vm,
			    const struct cpuid_table *base,
			    struct cpuid_table *t)
{
	unsigned int i;
	int ret;

	for (i = 0; i < s->nr; i++) {
		struct vcpu *v = &s->vcpu[i];

		ret = vcpu_create(vm, v, i);
		v->set = s;
		if (!ret)
			ret = vcpu_set_cpuid(v, base, s->nr, t);
		if (!ret && i > 0)
			ret = vcpu_park_ap(s, v);
		if (ret)
			return ret;
	}
	return 0;
}

int vcpus_create(struct vcpus *s, struct vm *vm, unsigned int nr,
		 bool kvm_paravirt)
{
	struct cpuid_table *base = NULL, *t = NULL;
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->vcpu = calloc(nr, sizeof(*s->vcpu));
	if (!s->vcpu) {
		pr_err("cannot allocate %u vCPUs\n", nr);
		return EXIT_CODE_HOST;
	}
	s->nr = nr;
	for (i = 0; i < nr; i++)
		s->vcpu[i].fd = -1;
	ret = check_max_vcpus(vm, nr);
	if (ret)
		return ret;
	base = malloc(sizeof(*base));
	t = malloc(sizeof(*t));
	if (!base || !t) {
		pr_err("cannot allocate the CPUID tables\n");
		ret = EXIT_CODE_HOST;
	} else if (cpuid_supported(vm->dev_fd, base)) {
		ret = EXIT_CODE_HOST;
	} else {
		if (!kvm_paravirt)
			cpuid_drop_kvm_leaves(base);
		ret = vcpus_create_all(s, vm, base, t);
	}
	free(t);
	free(base);
	return ret;
}

void vcpus_destroy(struct vcpus *s)
{
	unsigned int i;

	for (i = 0; s->vcpu && i < s->nr; i++)
		vcpu_destroy(&s->vcpu[i]);
	free(s->vcpu);
	s->vcpu = NULL;
	s->nr = 0;
}
