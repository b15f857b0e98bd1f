// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl's commands, as a table: `vmctl --help`, `vmctl help CMD` and the
 * man page (`vmctl help --man`, built into vmctl.1) all come from it, so
 * they cannot disagree with what vmctl does.
 */
#include <string.h>

#include "util.h"
#include "vmctl.h"

#define VM_OPTIONS							\
	"--kernel FILE      boot this Linux bzImage (or Multiboot kernel)\n" \
	"--initrd FILE      its initial RAM disk (with --kernel)\n"	\
	"--append STRING    its command line (with --kernel)\n"		\
	"--rom FILE         boot a 64 KiB ROM image instead (1 vCPU)\n"	\
	"--cpus N           vCPUs, 1 to 64 (default 1)\n"		\
	"--memory SIZE      RAM, e.g. 512M or 2G (default 256M with a kernel, 16M with a ROM)\n" \
	"--device SPEC      one more device, as vireo-vm --device (repeatable)\n" \
	"--disk SPEC        a virtio disk, after the VM's others (the first is the guest's /dev/vda; repeatable): FILE[,readonly][,serial=S] attaches an existing raw image or block device, kept by its absolute path; size=SIZE[,readonly][,serial=S] makes a new sparse raw image diskN.img of SIZE (K, M, G or T; 1M to 64T, a multiple of 512) in the VM's folder, never over an existing file; serial: up to 20 printable ASCII characters, no blanks or commas\n" \
	"--net SPEC         a virtio network card, after the VM's others (eth0, eth1, ... in order; at most 8; repeatable): user[,hostfwd=tcp:[ADDR]:HPORT-:GPORT[+...]][,mac=M] is user-mode networking, which needs no privileges (the guest 10.0.2.15 by DHCP; hostfwd forwards the host's ADDR:HPORT, ADDR 127.0.0.1 if left out, to the guest's GPORT); tap=IFNAME[,addr=CIDR|,bridge=BR][,mac=M] is the host's TAP interface IFNAME, made by the VM process if missing (which needs CAP_NET_ADMIN), given the host's address CIDR or put in the bridge BR; mac: six bytes in hex, unicast, by default 02:56: and four random bytes, made now and kept in the settings\n" \
	"--no-vmmdev        no VMMDev, the guest additions' device (--vmmdev: back)\n" \
	"--console virtio|uart  the VM's console: virtio is a virtio console, Linux's hvc0 (give it console=hvc0 with --append; vmctl does not change the command line), instead of COM1, Linux's ttyS0; uart (the default) is COM1 again\n"

const struct vmctl_cmd vmctl_cmds[] = {
	{
		.name = "create",
		.handler = vmctl_cmd_create,
		.args = "NAME (--kernel FILE [--initrd FILE] [--append STRING] | --rom FILE) [--cpus N] [--memory SIZE] [--device SPEC]... [--disk SPEC]... [--net SPEC]... [--no-vmmdev] [--console virtio|uart]",
		.summary = "create a VM: its folder and settings; prints its UUID",
		.help = VM_OPTIONS,
	},
	{
		.name = "start",
		.handler = vmctl_cmd_start,
		.args = "VM [--console]",
		.summary = "start the VM's process, detached; its log and console output go to the VM's Logs/",
		.help = "--console         then attach to its serial console (as vmctl console)\n",
	},
	{
		.name = "stop",
		.handler = vmctl_cmd_stop,
		.args = "VM [--force] [--timeout S]",
		.summary = "ask the guest additions to power the guest off (or, without them, press the VM's power button, resuming it if paused) and wait for it to power off",
		.help = "--timeout S       wait S seconds for the guest (default 60), then end the VM process\n"
			"--force           end the VM process at once, without asking the guest\n",
	},
	{
		.name = "pause",
		.handler = vmctl_cmd_pause,
		.args = "VM",
		.summary = "pause the VM: its vCPUs, devices and guest time stop; it keeps its memory",
		.help = NULL,
	},
	{
		.name = "resume",
		.handler = vmctl_cmd_resume,
		.args = "VM",
		.summary = "resume a paused VM where it stood (its guest saw no time pass)",
		.help = NULL,
	},
	{
		.name = "reset",
		.handler = vmctl_cmd_reset,
		.args = "VM",
		.summary = "reset the machine, as its reset button would (not while paused)",
		.help = NULL,
	},
	{
		.name = "console",
		.handler = vmctl_cmd_console,
		.args = "VM",
		.summary = "attach to the VM's serial console (Ctrl-] detaches); the first attached types, others watch",
		.help = NULL,
	},
	{
		.name = "events",
		.handler = vmctl_cmd_events,
		.args = "VM [--json]",
		.summary = "print the VM's state changes as they happen, the state now first, until it ends",
		.help = "--json            one JSON object a line: {\"event\": \"state\", \"state\", \"time_ms\"[, \"status\"]}\n",
	},
	{
		.name = "guestproperty",
		.handler = vmctl_cmd_guestproperty,
		.args = "get VM NAME [--verbose] | set VM NAME [VALUE [--flags F]] | delete VM NAME | enumerate VM [PATTERN...] | wait VM PATTERNS [--timeout MS] [--fail-on-timeout]",
		.summary = "the VM's guest properties, shared with the guest additions (VBoxManage's verbs); a stopped VM's are those it kept",
		.help = "--flags F         TRANSIENT, TRANSRESET, RDONLYGUEST, RDONLYHOST, READONLY, comma-separated\n"
			"--verbose         get: the timestamp and flags too\n"
			"--timeout MS      wait: give up after MS milliseconds (default: none)\n"
			"--fail-on-timeout wait: exit 2 when it gave up\n"
			"PATTERNS          '|'-separated, '*' and '?' wildcards, e.g. '/VirtualBox/GuestInfo/Net/*'\n",
	},
	{
		.name = "enable",
		.handler = vmctl_cmd_enable,
		.args = "VM",
		.summary = "start the VM at boot: systemctl enable vireo-vm@VM.service (VMs of /var/lib/vireo/vms)",
		.help = NULL,
	},
	{
		.name = "disable",
		.handler = vmctl_cmd_disable,
		.args = "VM",
		.summary = "no longer start the VM at boot",
		.help = NULL,
	},
	{
		.name = "status",
		.handler = vmctl_cmd_status,
		.args = "[VM] [--json]",
		.summary = "the VM's state (stopped, running, paused, crashed), pid, uptime, vCPUs, memory and exit counts; without VM, every VM of the root and the host's others",
		.help = "--json            one JSON object (an array without VM): name, uuid, state, pid, uptime_ms, vcpus, memory, and kernel: {vm_id, state, vcpus, memory, exits: {all, io, mmio, hlt, cpuid, msr, npf, userspace}} while it runs\n",
	},
	{
		.name = "list",
		.handler = vmctl_cmd_list,
		.args = "[--json]",
		.summary = "list the VMs of the root: name and UUID",
		.help = "--json            a JSON array of {name, uuid, cpus, memory}\n",
	},
	{
		.name = "show",
		.handler = vmctl_cmd_show,
		.args = "VM [--json]",
		.summary = "show a VM's settings (VM: its name or UUID)",
		.help = "--json            the settings file itself\n",
	},
	{
		.name = "modify",
		.handler = vmctl_cmd_modify,
		.args = "VM [create's options] [--remove-disk N] [--remove-net N]",
		.summary = "change a stopped VM's settings (--kernel or --rom replaces the boot source)",
		.help = VM_OPTIONS
			"--no-initrd        drop the initrd\n"
			"--no-append        drop the command line\n"
			"--no-devices       drop the added devices\n"
			"--remove-disk N    take out disk N, as vmctl show numbers them (before this command's --disk adds any); its image is not deleted, not even one in the VM's folder\n"
			"--remove-net N     take out network card N, as vmctl show numbers them (before this command's --net adds any); the cards after it move up, each keeping its MAC\n",
	},
	{
		.name = "delete",
		.handler = vmctl_cmd_delete,
		.args = "VM [--keep-files]",
		.summary = "delete a VM and its folder, with the disk images made in it (disks attached from elsewhere are never deleted)",
		.help = "--keep-files      delete only the settings: the folder and what else is in it (its disk images) stay\n",
	},
	{
		.name = "help",
		.handler = vmctl_cmd_help,
		.args = "[COMMAND | --man]",
		.summary = "the commands, one command's options, or the man page",
		.help = "--man             the man page (roff), as installed as vmctl(1)\n",
	},
};

const unsigned int vmctl_nr_cmds = ARRAY_SIZE(vmctl_cmds);

const struct vmctl_cmd *vmctl_find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < vmctl_nr_cmds; i++)
		if (!strcmp(vmctl_cmds[i].name, name))
			return &vmctl_cmds[i];
	return NULL;
}

static const char *const exit_statuses[] = {
	"0  done",
	"1  failed (the message says why)",
	"2  usage: the command line is wrong",
	"3  no such VM",
	"4  the VM is in the wrong state for the command",
};

void vmctl_usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: vmctl [--root DIR] COMMAND [ARGS]\n"
		"       vmctl --version\n\n"
		"Manage Vireo VMs: each is a folder under the root (--root,\n"
		"VIREO_ROOT, or /var/lib/vireo/vms for root and\n"
		"~/.local/share/vireo/vms for others).  --version prints\n"
		"vmctl's release and the loaded vireo.ko's, and which to\n"
		"restart or upgrade when they differ.\n\ncommands:\n");
	for (i = 0; i < vmctl_nr_cmds; i++)
		fprintf(f, "  %-8s %s\n", vmctl_cmds[i].name,
			vmctl_cmds[i].summary);
	fprintf(f, "\n`vmctl help COMMAND` gives its options.\n\nexit status:\n");
	for (i = 0; i < ARRAY_SIZE(exit_statuses); i++)
		fprintf(f, "  %s\n", exit_statuses[i]);
}

/* Each "--opt ARG   text" line of help, indented. */
static void print_options(FILE *f, const char *help, const char *indent)
{
	const char *p = help, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		fprintf(f, "%s%.*s\n", indent,
			(int)(nl ? (size_t)(nl - p) : strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

void vmctl_cmd_usage(FILE *f, const struct vmctl_cmd *cmd)
{
	fprintf(f, "usage: vmctl %s %s\n\n%s.\n", cmd->name, cmd->args,
		cmd->summary);
	if (cmd->help) {
		fprintf(f, "\noptions:\n");
		print_options(f, cmd->help, "  ");
	}
}

/* Text for roff: a leading '.' or '\'' and every '\\' escaped. */
static void roff(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else if (i == 0 && (s[i] == '.' || s[i] == '\''))
			fprintf(f, "\\&%c", s[i]);
		else
			fputc(s[i], f);
	}
}

static void man_options(FILE *f, const char *help)
{
	const char *p = help, *nl, *gap;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		gap = strstr(p, "  ");
		if (!gap || gap > nl)
			gap = nl;
		fputs(".TP\n.B ", f);
		roff(f, p, gap - p);
		fputs("\n", f);
		while (gap < nl && *gap == ' ')
			gap++;
		roff(f, gap, nl - gap);
		fputs("\n", f);
		p = *nl ? nl + 1 : nl;
	}
}

void vmctl_man(FILE *f)
{
	unsigned int i;

	/* roff fills paragraphs: each line break below is a space. */
	fputs(".TH VMCTL 1 \"\" \"Vireo\" \"User Commands\"\n"
	      ".SH NAME\nvmctl \\- manage Vireo virtual machines\n"
	      ".SH SYNOPSIS\n.B vmctl\n[\\fB\\-\\-root\\fR \\fIDIR\\fR]\n"
	      "\\fICOMMAND\\fR [\\fIARGS\\fR]\n"
	      ".SH DESCRIPTION\nEach VM is a folder under the root: its\n"
	      "settings file (\\fIsettings.json\\fR), the disk images\n"
	      "made for it, its logs. The root is \\fB\\-\\-root\\fR, else \\fBVIREO_ROOT\\fR,\n"
	      "else \\fI/var/lib/vireo/vms\\fR for root and\n"
	      "\\fI$XDG_DATA_HOME/vireo/vms\\fR (\\fI~/.local/share/vireo/vms\\fR)\n"
	      "for other users. A VM is named by its name or its UUID.\n"
	      ".SH COMMANDS\n", f);
	for (i = 0; i < vmctl_nr_cmds; i++) {
		const struct vmctl_cmd *c = &vmctl_cmds[i];

		fputs(".SS ", f);
		roff(f, c->name, strlen(c->name));
		fputs(" ", f);
		roff(f, c->args, strlen(c->args));
		fputs("\n", f);
		roff(f, c->summary, strlen(c->summary));
		fputs(".\n", f);
		if (c->help) {
			fputs(".RS\n", f);
			man_options(f, c->help);
			fputs(".RE\n", f);
		}
	}
	fputs(".SH EXIT STATUS\n", f);
	for (i = 0; i < ARRAY_SIZE(exit_statuses); i++) {
		fprintf(f, ".TP\n.B %c\n", exit_statuses[i][0]);
		roff(f, exit_statuses[i] + 3, strlen(exit_statuses[i] + 3));
		fputs("\n", f);
	}
	fputs(".SH FILES\n.TP\n.I ROOT/NAME/settings.json\nthe VM's\n"
	      "settings (docs/settings.md)\n.TP\n.I ROOT/.lock\nheld while\n"
	      "a command changes a folder\n"
	      ".SH SEE ALSO\n.BR vireo-vm (1)\n", f);
}
