// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vireo" (docs/netlink.md), over a raw
 * NETLINK_GENERIC socket: LIST_VMS shows this process's VM with its pid,
 * uid, vCPUs, memory, state and each vCPU's exit counts; a user other than
 * root sees none of root's VMs and may not join the events group; root's
 * events say when a VM comes and goes and when a vCPU shuts down; a
 * malformed request gets an error.  Vireo only (KVM has no such family).
 */
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "realmode.h"

#define MAX_VMS		64

struct vm_info {
	uint32_t id, pid, uid, nr_vcpus, state, vcpu_nests;
	uint64_t memory, created_ns;
	uint64_t exits[VIREO_A_VCPU_MAX + 1];	/* summed over vCPUs */
};

struct event {
	uint32_t event, vm_id, pid, vcpu;
};

static uint32_t seq;

static struct nlattr *nla_next(struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

#define nla_for_each(a, start, len, rem)				\
	for (a = (struct nlattr *)(start), rem = (len);			\
	     rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&	\
	     a->nla_len <= rem; a = nla_next(a, &rem))

static void *nla_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static uint32_t nla_u32(struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static uint64_t nla_u64(struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static int nl_open(uint32_t groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A genl request: header, then the attribute bytes given. */
static int nl_send(int fd, uint16_t type, uint16_t flags, uint8_t cmd,
		   const void *attrs, size_t alen)
{
	char buf[512] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);

	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + alen);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = 1;
	memcpy((char *)g + GENL_HDRLEN, attrs, alen);
	return send(fd, buf, h->nlmsg_len, 0) == (ssize_t)h->nlmsg_len ? 0 : -1;
}

static ssize_t nl_recv(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(fd, buf, len, 0);
}

/* The family's id and its events group's, from the controller. */
static int resolve(int fd, uint16_t *family, uint32_t *group)
{
	struct { struct nlattr a; char name[8]; } req = {
		.a = { .nla_len = NLA_HDRLEN + sizeof(VIREO_GENL_NAME),
		       .nla_type = CTRL_ATTR_FAMILY_NAME },
		.name = VIREO_GENL_NAME,
	};
	static char buf[16384];
	struct nlattr *a, *g, *f;
	int rem, grem, frem;
	struct nlmsghdr *h;
	ssize_t n;

	*family = 0;
	*group = 0;
	if (nl_send(fd, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, &req,
		    NLA_HDRLEN + NLA_ALIGN(sizeof(VIREO_GENL_NAME))))
		return -1;
	n = nl_recv(fd, buf, sizeof(buf), 5000);
	h = (struct nlmsghdr *)buf;
	if (n <= 0 || !NLMSG_OK(h, n) || h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	nla_for_each(a, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		     h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(family, nla_data(a), sizeof(*family));
		if (a->nla_type != CTRL_ATTR_MCAST_GROUPS)
			continue;
		nla_for_each(g, nla_data(a), a->nla_len - NLA_HDRLEN, grem) {
			uint32_t id = 0;
			bool events = false;

			nla_for_each(f, nla_data(g), g->nla_len - NLA_HDRLEN,
				     frem) {
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = nla_u32(f);
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp(nla_data(f), VIREO_GENL_MCGRP_EVENTS))
					events = true;
			}
			if (events)
				*group = id;
		}
	}
	nl_recv(fd, buf, sizeof(buf), 1000);	/* the ack */
	return *family ? 0 : -1;
}

static void parse_vm(struct nlattr *attrs, int len, struct vm_info *vm)
{
	struct nlattr *a, *v;
	int rem, vrem;

	memset(vm, 0, sizeof(*vm));
	nla_for_each(a, attrs, len, rem) {
		/* Nests carry NLA_F_NESTED in their type. */
		switch (a->nla_type & NLA_TYPE_MASK) {
		case VIREO_A_VM_ID:
			vm->id = nla_u32(a);
			break;
		case VIREO_A_PID:
			vm->pid = nla_u32(a);
			break;
		case VIREO_A_UID:
			vm->uid = nla_u32(a);
			break;
		case VIREO_A_NR_VCPUS:
			vm->nr_vcpus = nla_u32(a);
			break;
		case VIREO_A_STATE:
			vm->state = nla_u32(a);
			break;
		case VIREO_A_MEMORY:
			vm->memory = nla_u64(a);
			break;
		case VIREO_A_CREATED_NS:
			vm->created_ns = nla_u64(a);
			break;
		case VIREO_A_VCPU:
			vm->vcpu_nests++;
			nla_for_each(v, nla_data(a), a->nla_len - NLA_HDRLEN,
				     vrem)
				if (v->nla_type >= VIREO_A_VCPU_EXITS &&
				    v->nla_type <= VIREO_A_VCPU_EXITS_USER)
					vm->exits[v->nla_type] += nla_u64(v);
			break;
		}
	}
}

/* LIST_VMS: how many VMs (into vms), or -errno from the kernel. */
static int list_vms(int fd, uint16_t family, struct vm_info *vms)
{
	static char buf[65536];
	struct nlmsghdr *h;
	int count = 0;
	ssize_t n;

	if (nl_send(fd, family, NLM_F_DUMP, VIREO_CMD_LIST_VMS, NULL, 0))
		return -EIO;
	for (;;) {
		n = nl_recv(fd, buf, sizeof(buf), 5000);
		if (n <= 0)
			return -EIO;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error)
					return e->error;
				continue;
			}
			if (count < MAX_VMS)
				parse_vm((struct nlattr *)((char *)NLMSG_DATA(h) +
							   GENL_HDRLEN),
					 h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
					 &vms[count++]);
		}
	}
}

static struct vm_info *find_vm(struct vm_info *vms, int n, uint32_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (vms[i].pid == pid)
			return &vms[i];
	return NULL;
}

/* The next event within ms, or false. */
static bool next_event(int fd, uint16_t family, struct event *e, int ms)
{
	static char buf[8192];
	struct nlattr *a;
	struct nlmsghdr *h;
	ssize_t n;
	int rem;

	memset(e, 0, sizeof(*e));
	n = nl_recv(fd, buf, sizeof(buf), ms);
	h = (struct nlmsghdr *)buf;
	if (n <= 0 || !NLMSG_OK(h, n) || h->nlmsg_type != family)
		return false;
	nla_for_each(a, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		     h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem) {
		if (a->nla_type == VIREO_A_EVENT)
			e->event = nla_u32(a);
		if (a->nla_type == VIREO_A_VM_ID)
			e->vm_id = nla_u32(a);
		if (a->nla_type == VIREO_A_PID)
			e->pid = nla_u32(a);
		if (a->nla_type == VIREO_A_VCPU_ID)
			e->vcpu = nla_u32(a);
	}
	return true;
}

/* Port I/O and a halt: exits the counts must show. */
REALMODE_GUEST(io_guest,
	"mov $0x42, %al\n"
	"out %al, $0x10\n"
	"out %al, $0x10\n"
	"hlt\n");

/* A triple fault: INT3 with an IDT of limit 0 (shutdown_test.c). */
REALMODE_GUEST(tf_guest,
	"mov $" RM_ADDR(tf_guest, tf_idtr) ", %bx\n"
	"lidt (%bx)\n"
	"int3\n"
	"hlt\n"
	"tf_idtr: .word 0\n"
	".long 0\n");

TEST(list_vms_shows_this_vm)
{
	struct vm_info vms[MAX_VMS], *me;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vireo_guest_time t = { .state = VIREO_GUEST_TIME_STOPPED };
	uint16_t family;
	uint32_t group;
	int fd, n, i;

	ASSERT_EQ(VIREO_GENL_VERSION, dev_check_cap(VIREO_CAP_NETLINK));
	fd = nl_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, resolve(fd, &family, &group));
	ASSERT_NE(0, group);

	vm = vm_create_realmode(&io_guest, &vcpu);
	vm_add_vcpu(vm, 1);
	for (i = 0; i < 2; i++) {
		vcpu_run(vcpu);
		vcpu_expect_out(vcpu, 0x10, 1);
	}
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);

	n = list_vms(fd, family, vms);
	ASSERT_LT(0, n);
	me = find_vm(vms, n, getpid());
	ASSERT_NE(NULL, me);
	EXPECT_NE(0, me->id);
	EXPECT_EQ(geteuid(), me->uid);
	EXPECT_EQ(2, me->nr_vcpus);
	EXPECT_EQ(2, me->vcpu_nests);
	EXPECT_LT(0, me->memory);
	EXPECT_LT(0, me->created_ns);
	EXPECT_EQ(VIREO_VM_STATE_RUNNING, me->state);
	EXPECT_LE(2, me->exits[VIREO_A_VCPU_EXITS_IO]);
	EXPECT_LE(1, me->exits[VIREO_A_VCPU_EXITS_HLT]);
	EXPECT_LE(3, me->exits[VIREO_A_VCPU_EXITS_USER]);
	EXPECT_LE(me->exits[VIREO_A_VCPU_EXITS_IO] +
		  me->exits[VIREO_A_VCPU_EXITS_HLT],
		  me->exits[VIREO_A_VCPU_EXITS]);
	TH_LOG("VM %u: %u vCPUs, %lu bytes, exits %lu (io %lu, hlt %lu, npf %lu, to userspace %lu)",
	       me->id, me->nr_vcpus, (unsigned long)me->memory,
	       (unsigned long)me->exits[VIREO_A_VCPU_EXITS],
	       (unsigned long)me->exits[VIREO_A_VCPU_EXITS_IO],
	       (unsigned long)me->exits[VIREO_A_VCPU_EXITS_HLT],
	       (unsigned long)me->exits[VIREO_A_VCPU_EXITS_NPF],
	       (unsigned long)me->exits[VIREO_A_VCPU_EXITS_USER]);

	/* Paused: guest time stopped. */
	ASSERT_EQ(0, vireo_ioctl(vm->fd, VIREO_SET_GUEST_TIME,
				 (unsigned long)&t));
	n = list_vms(fd, family, vms);
	me = find_vm(vms, n, getpid());
	ASSERT_NE(NULL, me);
	EXPECT_EQ(VIREO_VM_STATE_STOPPED, me->state);

	vm_free(vm);
	n = list_vms(fd, family, vms);
	EXPECT_EQ(NULL, find_vm(vms, n > 0 ? n : 0, getpid()));
	close(fd);
}

TEST(malformed_requests_are_refused)
{
	struct { struct nlattr a; uint32_t v; } unknown = {
		{ NLA_HDRLEN + 4, 200 }, 1,
	}, short_id = { { NLA_HDRLEN + 2, VIREO_A_VM_ID }, 1 };
	struct vm_info vms[MAX_VMS];
	uint16_t family;
	uint32_t group;
	char buf[4096];
	int fd;

	fd = nl_open(0);
	ASSERT_EQ(0, resolve(fd, &family, &group));
	/* A command the family has not, and attributes it does not take. */
	ASSERT_EQ(0, nl_send(fd, family, 0, 77, NULL, 0));
	ASSERT_LT(0, nl_recv(fd, buf, sizeof(buf), 5000));
	EXPECT_NE(0, ((struct nlmsgerr *)NLMSG_DATA(
			(struct nlmsghdr *)buf))->error);
	ASSERT_EQ(0, nl_send(fd, family, NLM_F_DUMP, VIREO_CMD_LIST_VMS,
			     &unknown, sizeof(unknown)));
	ASSERT_LT(0, nl_recv(fd, buf, sizeof(buf), 5000));
	EXPECT_NE(0, ((struct nlmsgerr *)NLMSG_DATA(
			(struct nlmsghdr *)buf))->error);
	ASSERT_EQ(0, nl_send(fd, family, NLM_F_DUMP, VIREO_CMD_LIST_VMS,
			     &short_id, sizeof(short_id)));
	ASSERT_LT(0, nl_recv(fd, buf, sizeof(buf), 5000));
	EXPECT_NE(0, ((struct nlmsgerr *)NLMSG_DATA(
			(struct nlmsghdr *)buf))->error);
	/* The family still answers. */
	EXPECT_LE(0, list_vms(fd, family, vms));
	close(fd);
}

TEST(events_and_other_users)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vm_info vms[MAX_VMS];
	struct event e;
	uint32_t group, id;
	uint16_t family;
	int fd, status;
	pid_t child;

	if (geteuid() != 0)
		SKIP(return, "needs root: the events group is root's");
	fd = nl_open(0);
	ASSERT_EQ(0, resolve(fd, &family, &group));
	ASSERT_EQ(0, setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&group, sizeof(group)));

	vm = vm_create_realmode(&tf_guest, &vcpu);
	ASSERT_TRUE(next_event(fd, family, &e, 5000));
	EXPECT_EQ(VIREO_EVENT_VM_CREATED, e.event);
	EXPECT_EQ(getpid(), e.pid);
	id = e.vm_id;

	/* Another user sees none of it, and may not listen. */
	child = fork();
	if (!child) {
		int cfd, n;

		if (setresuid(65534, 65534, 65534))
			_exit(10);
		cfd = nl_open(0);
		if (cfd < 0 || resolve(cfd, &family, &group))
			_exit(11);
		n = list_vms(cfd, family, vms);
		if (n < 0 || find_vm(vms, n, getppid()))
			_exit(12);
		if (!setsockopt(cfd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&group, sizeof(group)))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the other user's check %d failed (12: it saw root's VM, 13: it joined the group)",
		       WEXITSTATUS(status));
	}

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_SHUTDOWN);
	ASSERT_TRUE(next_event(fd, family, &e, 5000));
	EXPECT_EQ(VIREO_EVENT_VCPU_SHUTDOWN, e.event);
	EXPECT_EQ(id, e.vm_id);
	EXPECT_EQ(0, e.vcpu);

	vm_free(vm);
	ASSERT_TRUE(next_event(fd, family, &e, 5000));
	EXPECT_EQ(VIREO_EVENT_VM_DESTROYED, e.event);
	EXPECT_EQ(id, e.vm_id);
	close(fd);
}

TEST_HARNESS_MAIN
